//! Evaluation metrics, pure: a confusion matrix with precision, recall, F1 and macro-F1,
//! ROC AUC with ties, the Wilson score interval, Spearman rank correlation, precision@k,
//! NDCG@k and a seeded bootstrap confidence interval. `scout audit --labels` uses them, and
//! so will any command that judges rules against labelled data.

use serde::Serialize;

/// Counts of a binary classifier's outcomes; the positive class is "flagged".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Positives predicted positive.
    pub tp: u64,
    /// Negatives predicted positive.
    pub fp: u64,
    /// Positives predicted negative.
    pub fn_: u64,
    /// Negatives predicted negative.
    pub tn: u64,
}

/// Precision, recall and F1 of one class.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ClassScores {
    /// Of those predicted in the class, the share that is.
    pub precision: f64,
    /// Of those in the class, the share predicted so.
    pub recall: f64,
    /// The harmonic mean of the two.
    pub f1: f64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn scores(tp: u64, fp: u64, fn_: u64) -> ClassScores {
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    ClassScores { precision, recall, f1 }
}

impl Confusion {
    /// Counts `(actual, predicted)` pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (bool, bool)>) -> Self {
        let mut c = Self::default();
        for pair in pairs {
            c.add(pair.0, pair.1);
        }
        c
    }

    /// Counts one outcome.
    pub fn add(&mut self, actual: bool, predicted: bool) {
        match (actual, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    /// Every outcome counted.
    pub fn total(&self) -> u64 {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// Scores of the positive class.
    pub fn positive(&self) -> ClassScores {
        scores(self.tp, self.fp, self.fn_)
    }

    /// Scores of the negative class.
    pub fn negative(&self) -> ClassScores {
        scores(self.tn, self.fn_, self.fp)
    }

    /// The mean of both classes' F1.
    pub fn macro_f1(&self) -> f64 {
        (self.positive().f1 + self.negative().f1) / 2.0
    }

    /// The share of outcomes predicted right.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.total())
    }
}

/// The area under the ROC curve of `scores` against `labels` (true: positive): the chance
/// that a random positive scores above a random negative, ties counting one half. `None`
/// when either class is empty.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let ranks = average_ranks(scores);
    let positives = labels.iter().filter(|&&l| l).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let rank_sum: f64 = ranks.iter().zip(labels).filter(|(_, &l)| l).map(|(r, _)| r).sum();
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

/// 1-based ranks of `values` in ascending order, ties sharing their average rank.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// A proportion's 95 % (or `z`) Wilson score interval: `(low, high)` for `successes` of
/// `n`. `None` when `n` is 0.
pub fn wilson(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Spearman's rank correlation of two equally long series (ties by average rank). `None`
/// for fewer than two values or a constant series.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    pearson(&average_ranks(a), &average_ranks(b))
}

fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

/// Of the first `k` items of a ranking, the share that is relevant.
pub fn precision_at_k(relevant_in_order: &[bool], k: usize) -> f64 {
    let k = k.min(relevant_in_order.len());
    if k == 0 {
        return 0.0;
    }
    relevant_in_order[..k].iter().filter(|&&r| r).count() as f64 / k as f64
}

/// NDCG@k of graded relevance in ranked order: DCG (gain / log2(rank + 1)) of the first `k`
/// over that of the ideal order. `None` when nothing is relevant.
pub fn ndcg_at_k(relevance_in_order: &[f64], k: usize) -> Option<f64> {
    let dcg = |values: &[f64]| -> f64 {
        values.iter().take(k).enumerate().map(|(i, g)| g / ((i + 2) as f64).log2()).sum()
    };
    let mut ideal = relevance_in_order.to_vec();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let best = dcg(&ideal);
    (best > 0.0).then(|| dcg(relevance_in_order) / best)
}

/// A percentile bootstrap confidence interval of `statistic` over `n` items: `samples`
/// resamples with replacement, drawn from a generator seeded with `seed`, so the same call
/// gives the same interval. Returns `(low, high)` at `level` (0.95), or `None` if `n` is 0
/// or no resample gave a value.
pub fn bootstrap_ci(
    n: usize,
    samples: usize,
    level: f64,
    seed: u64,
    mut statistic: impl FnMut(&[usize]) -> Option<f64>,
) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut values = Vec::with_capacity(samples);
    let mut idx = vec![0; n];
    for _ in 0..samples {
        for slot in idx.iter_mut() {
            *slot = (next() % n as u64) as usize;
        }
        if let Some(v) = statistic(&idx) {
            values.push(v);
        }
    }
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    let at =
        |q: f64| values[((q * (values.len() - 1) as f64).round() as usize).min(values.len() - 1)];
    Some((at(tail), at(1.0 - tail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6, "{a} != {b}");
    }

    #[test]
    fn confusion_scores_match_hand_computed_values() {
        // tp 8, fp 2, fn 4, tn 86.
        let c = Confusion { tp: 8, fp: 2, fn_: 4, tn: 86 };
        close(c.positive().precision, 0.8);
        close(c.positive().recall, 8.0 / 12.0);
        close(c.positive().f1, 2.0 * 0.8 * (2.0 / 3.0) / (0.8 + 2.0 / 3.0));
        close(c.negative().precision, 86.0 / 90.0);
        close(c.negative().recall, 86.0 / 88.0);
        let f1n = 2.0 * (86.0 / 90.0) * (86.0 / 88.0) / (86.0 / 90.0 + 86.0 / 88.0);
        close(c.macro_f1(), (16.0 / 22.0 + f1n) / 2.0);
    }

    #[test]
    fn auc_counts_ties_as_half() {
        // Positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5)(0.9>0.1)(0.5=0.5)(0.5>0.1).
        close(roc_auc(&[0.9, 0.5, 0.5, 0.1], &[true, true, false, false]).unwrap(), 3.5 / 4.0);
        assert_eq!(roc_auc(&[0.1], &[true]), None);
    }

    #[test]
    fn wilson_matches_published_values() {
        // 81 of 263 (Wikipedia's binomial interval example): 0.2553 to 0.3662.
        let (lo, hi) = wilson(81, 263, Z95).unwrap();
        assert!((lo - 0.2553).abs() < 1e-4 && (hi - 0.3662).abs() < 1e-4, "{lo} {hi}");
        let (lo, hi) = wilson(0, 10, Z95).unwrap();
        close(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn ranking_metrics_match_hand_computed_values() {
        close(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap(), -1.0);
        close(precision_at_k(&[true, false, true, true], 2), 0.5);
        // DCG = 3 + 2/log2(3) + 0; ideal = 3 + 2/log2(3).
        close(ndcg_at_k(&[3.0, 2.0, 0.0], 3).unwrap(), 1.0);
        let got = ndcg_at_k(&[0.0, 1.0], 2).unwrap();
        close(got, (1.0 / 3f64.log2()) / 1.0);
    }

    #[test]
    fn bootstrap_is_seeded() {
        let data = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mean =
            |idx: &[usize]| Some(idx.iter().map(|&i| data[i]).sum::<f64>() / idx.len() as f64);
        let a = bootstrap_ci(5, 500, 0.95, 7, mean).unwrap();
        let b = bootstrap_ci(5, 500, 0.95, 7, mean).unwrap();
        assert_eq!(a, b);
        assert!(a.0 < 3.0 && a.1 > 3.0);
    }
}
