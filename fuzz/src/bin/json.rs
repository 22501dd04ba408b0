//! AFL entry point for the `json` target: see `scout_fuzz::json`.

fn main() {
    afl::fuzz!(|data: &[u8]| scout_fuzz::json(data));
}
