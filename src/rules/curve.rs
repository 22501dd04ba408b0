//! Benchmark curves: engagement benchmarks as a function of the follower count, from anchor
//! points `(followers, rate)`, interpolated linearly on log10 followers and flat beyond the
//! first and last anchors. Pure; the loader checks anchors before building one.

/// A checked benchmark curve: at least one anchor, follower counts rising and above 0,
/// rates between 0 and 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// `(log10 followers, rate)` per anchor, by rising follower count.
    anchors: Vec<(f64, f64)>,
}

impl Curve {
    /// A curve through `points` (`(followers, rate)`), which must already be checked
    /// ([`check_points`] returns no problems).
    pub fn new(points: &[(f64, f64)]) -> Self {
        Self {
            anchors: points.iter().map(|&(followers, rate)| (followers.log10(), rate)).collect(),
        }
    }

    /// The benchmark at `followers`: the rate between the two anchors around it,
    /// interpolated on log10 followers; the first anchor's rate below it, the last's above.
    pub fn at(&self, followers: u64) -> f64 {
        let (first, last) = (self.anchors[0], self.anchors[self.anchors.len() - 1]);
        if followers == 0 {
            return first.1;
        }
        let x = (followers as f64).log10();
        if x <= first.0 {
            return first.1;
        }
        if x >= last.0 {
            return last.1;
        }
        let i = self.anchors.partition_point(|&(ax, _)| ax <= x);
        let ((x0, y0), (x1, y1)) = (self.anchors[i - 1], self.anchors[i]);
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
}

/// A problem with a curve's anchors; indexes are positions in the `points` list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CurveProblem {
    /// The curve has no anchors.
    Empty,
    /// A follower count of 0 or below (log10 is undefined there).
    FollowersNotPositive(usize),
    /// A follower count not above the previous anchor's.
    NotRising(usize),
    /// A rate that is not a fraction above 0 and below 1.
    RateOutOfRange(usize),
}

/// Every problem with `points`, in order.
pub fn check_points(points: &[(f64, f64)]) -> Vec<CurveProblem> {
    let mut problems = Vec::new();
    if points.is_empty() {
        problems.push(CurveProblem::Empty);
    }
    for (i, &(followers, rate)) in points.iter().enumerate() {
        if !(followers > 0.0 && followers.is_finite()) {
            problems.push(CurveProblem::FollowersNotPositive(i));
        } else if i > 0 && followers <= points[i - 1].0 {
            problems.push(CurveProblem::NotRising(i));
        }
        if !(rate > 0.0 && rate < 1.0) {
            problems.push(CurveProblem::RateOutOfRange(i));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn anchors_give_their_own_rates() {
        let curve = Curve::new(&[(1_000.0, 0.04), (100_000.0, 0.02)]);
        assert!(close(curve.at(1_000), 0.04));
        assert!(close(curve.at(100_000), 0.02));
    }

    #[test]
    fn interpolates_on_log10_followers() {
        // log10 10,000 = 4 lies halfway between 3 and 5: halfway between the rates.
        let curve = Curve::new(&[(1_000.0, 0.04), (100_000.0, 0.02)]);
        assert!(close(curve.at(10_000), 0.03));
        // log10 31,622.78 ≈ 4.5: three quarters of the way, 0.04 − 0.75 × 0.02 = 0.025
        // (to within the rounding of 31,623 followers).
        assert!((curve.at(31_623) - 0.025).abs() < 1e-6);
        // 2,000: log10 2 = 0.30103 of the way from 3 to 4, so
        // 0.04 − 0.02 × 0.30103 / 2 = 0.0369897.
        assert!((curve.at(2_000) - 0.036_989_700).abs() < 1e-9);
    }

    #[test]
    fn is_flat_beyond_the_ends() {
        let curve = Curve::new(&[(5_000.0, 0.0426), (20_000.0, 0.0228), (100_000.0, 0.0162)]);
        assert!(close(curve.at(0), 0.0426));
        assert!(close(curve.at(1), 0.0426));
        assert!(close(curve.at(4_999), 0.0426));
        assert!(close(curve.at(100_001), 0.0162));
        assert!(close(curve.at(u64::MAX), 0.0162));
        // Between the second and third anchors: log10(50,000/20,000) / log10(5) = 0.569323
        // of the way from 2.28% to 1.62%: 0.0228 − 0.0066 × 0.569323 = 0.0190425.
        assert!((curve.at(50_000) - 0.019_042_465).abs() < 1e-8);
    }

    #[test]
    fn one_anchor_is_a_constant() {
        let curve = Curve::new(&[(10_000.0, 0.05)]);
        assert!(close(curve.at(10), 0.05));
        assert!(close(curve.at(10_000_000), 0.05));
    }

    #[test]
    fn finds_bad_anchors() {
        use CurveProblem::*;
        assert_eq!(check_points(&[]), vec![Empty]);
        assert_eq!(
            check_points(&[(0.0, 0.04), (5_000.0, 1.5), (5_000.0, 0.02), (1_000.0, 0.0)]),
            vec![
                FollowersNotPositive(0),
                RateOutOfRange(1),
                NotRising(2),
                NotRising(3),
                RateOutOfRange(3)
            ]
        );
    }
}
