//! One ranking order: the same rows give the same ranking whatever their order in the file
//! and however many threads read them, even when one creator is on two platforms with the
//! same score.

use scout::input::{self, Format, ReadOptions, Source};
use scout::rank::{self, RankOptions, Ranking};

use crate::{engine::bundled, root};

/// The example list with every creator on two platforms that share benchmarks and ER basis
/// for `littlenest` (YouTube and TikTok both read `[default]`, on followers), so the two rows
/// score the same, and a few rows repeated word for word.
fn rows() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(root().join("examples/candidates.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_owned();
    assert!(header.starts_with("handle,platform,"), "{header}");
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let (handle, rest) = line.split_once(',').unwrap();
        let (_, rest) = rest.split_once(',').unwrap();
        for platform in ["youtube", "tiktok"] {
            rows.push(format!("{handle},{platform},{rest}"));
        }
        if i % 7 == 0 {
            rows.push(format!("{handle},tiktok,{rest}"));
        }
    }
    (header, rows)
}

/// A Fisher–Yates shuffle driven by a small xorshift generator, so runs repeat.
fn shuffle(rows: &mut [String], seed: u64) {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..rows.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        rows.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

/// Ranks `path` with `littlenest` (instagram, tiktok and youtube) on `threads` threads,
/// split into as many ranges as the reader likes.
fn ranking(path: &std::path::Path, threads: usize, top: Option<usize>) -> Ranking {
    let rules = bundled();
    let brand = rules.brand("littlenest").unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let read = ReadOptions { min_split: 1, ..ReadOptions::default() };
        let file = input::open_csv_file(path, &read).unwrap();
        let options = RankOptions { top, keep_filtered: true, notes: 0, ..RankOptions::default() };
        rank::rank_csv(rules, brand, file, options, &|_| {}).unwrap()
    })
}

/// The ranking as `rank handle platform score`, one line each: what `--top` keeps, without
/// the source lines a shuffle moves.
fn order_of(ranking: &Ranking) -> Vec<String> {
    ranking
        .results
        .iter()
        .map(|r| {
            let platform = r.candidate.platform.as_deref().unwrap_or("-");
            format!("{} {} {platform} {}", r.rank, r.candidate.handle, r.score())
        })
        .collect()
}

#[test]
fn shuffled_rows_on_any_thread_count_rank_the_same() {
    let (header, mut rows) = rows();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("candidates.csv");
    let mut expected: Vec<Option<Vec<String>>> = vec![None; 3];
    for seed in 0..6 {
        shuffle(&mut rows, seed);
        std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        for (i, top) in [None, Some(7), Some(20)].into_iter().enumerate() {
            let mut same_file: Option<Ranking> = None;
            for threads in [1, 2, 3, 8] {
                let ranking = ranking(&path, threads, top);
                let order = order_of(&ranking);
                match &expected[i] {
                    None => expected[i] = Some(order),
                    Some(expected) => {
                        assert_eq!(&order, expected, "seed {seed}, top {top:?}, {threads} threads")
                    }
                }
                // Within one file, the lines (which break ties between repeated rows) agree too.
                if let Some(first) = &same_file {
                    assert_eq!(ranking.results, first.results, "seed {seed}, {threads} threads");
                }
                same_file.get_or_insert(ranking);
            }
        }
    }

    // The case the order settles: one handle, one score, two platforms, side by side.
    let ranked = ranking(&path, 4, None);
    let ties = ranked.results.windows(2).filter(|pair| {
        pair[0].candidate.handle == pair[1].candidate.handle
            && pair[0].score() == pair[1].score()
            && pair[0].candidate.platform != pair[1].candidate.platform
    });
    assert!(ties.count() > 10, "the list has creators tied across platforms");
    let top = ranking(&path, 4, Some(7));
    assert_eq!(top.results[..], ranked.results[..7], "`--top` keeps the head of the full order");
}

/// A bounded ranking takes most rows on `engine::quick`'s word (filtered, or scored below
/// the cut) and evaluates the rest in full; an unbounded one evaluates every row. Both
/// count the same rows and filters, and agree on the best.
#[test]
fn a_bounded_ranking_counts_and_ranks_as_the_full_one() {
    let rules = bundled();
    let platforms = ["instagram", "tiktok", "youtube", ""];
    let countries = ["US", "GB", "DE", "", "CA"];
    let niches = ["beauty", "skincare;fitness", "gaming", "parenting;vape", ""];
    let rows: Vec<_> = (0..3_000u64)
        .map(|i| {
            let followers = 500 + (i * 7_919) % 400_000;
            let blank = |on: bool, value: String| if on { String::new() } else { value };
            format!(
                "user{i},{},{followers},{},{},{},{},{},{},{},{}",
                platforms[(i % 4) as usize],
                blank(i % 11 == 0, (500 + i % 3_000).to_string()),
                blank(
                    i % 13 == 0,
                    (followers as f64 * (0.005 + (i % 17) as f64 * 0.004)).to_string()
                ),
                blank(i % 5 == 0, (i % 90).to_string()),
                niches[(i % 5) as usize],
                countries[(i % 5) as usize],
                blank(i % 9 == 0, format!("0.{:02}", i % 40)),
                blank(i % 7 == 0, (20 + i % 900).to_string()),
                10 + i % 200,
            )
        })
        .collect();
    let text = format!(
        "handle,platform,followers,following,avg_likes,avg_comments,niches,country,fake_follower_pct,cost_per_post,posts\n{}\n",
        rows.join("\n")
    );
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("candidates.csv");
    std::fs::write(&path, text).unwrap();
    let rows: Vec<_> = input::read(&Source::File(path), Format::Csv).unwrap().collect();
    let mut ranking = 0;
    for brand in rules.brands.values() {
        let full = RankOptions { top: None, keep_filtered: false, ..RankOptions::default() };
        let bounded = RankOptions { top: Some(10), ..full };
        let all = rank::rank_slice(rules, brand, &rows, full);
        let best = rank::rank_slice(rules, brand, &rows, bounded);
        assert_eq!(best.counts, all.counts, "{}", brand.id);
        assert_eq!(best.filter_counts, all.filter_counts, "{}", brand.id);
        assert_eq!(best.results[..], all.results[..best.results.len()], "{}", brand.id);
        assert!(all.counts.filtered > 100, "{}: {:?}", brand.id, all.counts);
        ranking += usize::from(all.counts.ranked > 10);
    }
    assert!(ranking >= 3, "most brands rank more rows than the top holds");
}
