#![allow(dead_code, missing_docs)]
//! Deterministic synthetic candidates, shaped like `shared/bench/gen_candidates.py`.

use scout::model::Candidate;

const NICHES: [&str; 12] = [
    "beauty",
    "fashion",
    "travel",
    "parenting",
    "fitness",
    "food",
    "gaming",
    "tech",
    "finance",
    "pets",
    "home",
    "music",
];
const COUNTRIES: [&str; 12] =
    ["US", "GB", "CA", "AU", "DE", "FR", "BR", "IN", "ES", "IT", "MX", "JP"];
const PLATFORMS: [&str; 3] = ["instagram", "tiktok", "youtube"];

/// A small, fixed pseudo-random generator (SplitMix64), so runs compare.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// `n` candidates as CSV text in scout's canonical columns.
pub fn csv(n: usize) -> String {
    let mut rng = Rng::new(42);
    let mut out = String::from("handle,platform,followers,following,posts,avg_likes,avg_comments,avg_shares,avg_views,niches,country,fake_follower_pct,cost_per_post\n");
    for i in 0..n {
        let followers = 10f64.powf(2.7 + rng.unit() * 4.6) as u64;
        let er = (0.037 * (0.5 + rng.unit())) * (followers as f64 / 10_000.0).powf(-0.15);
        let f = followers as f64;
        let niches = if rng.unit() < 0.6 {
            rng.pick(&NICHES).to_owned()
        } else {
            format!("{};{}", rng.pick(&NICHES), rng.pick(&NICHES))
        };
        out.push_str(&format!(
            "user_{i:07},{},{followers},{},{},{:.1},{:.1},{:.1},{:.0},{niches},{},{:.3},{:.2}\n",
            rng.pick(&PLATFORMS),
            50 + rng.next_u64() % 2950,
            10 + rng.next_u64() % 3990,
            f * er * 0.9,
            f * er * 0.07,
            f * er * 0.03,
            f * (0.1 + rng.unit() * 1.4),
            rng.pick(&COUNTRIES),
            (rng.unit() * 0.35).min(0.9),
            (f / 100.0 * (0.5 + rng.unit() * 1.5)).max(20.0),
        ));
    }
    out
}

/// `n` candidates, parsed.
pub fn candidates(n: usize) -> Vec<Candidate> {
    let text = csv(n);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let plan =
        scout::input::columns::ColumnPlan::from_headers("bench", headers.iter(), None).unwrap();
    reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            let r = r.unwrap();
            plan.build(i as u64 + 2, r.len(), r.iter()).unwrap()
        })
        .collect()
}
