//! AFL entry point for the `csv` target: see `scout_fuzz::csv`.

fn main() {
    afl::fuzz!(|data: &[u8]| scout_fuzz::csv(data));
}
