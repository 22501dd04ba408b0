//! AFL entry point for the `rules` target: see `scout_fuzz::rules`.

fn main() {
    afl::fuzz!(|data: &[u8]| scout_fuzz::rules(data));
}
