//! AFL entry point for the `number` target: see `scout_fuzz::number`.

fn main() {
    afl::fuzz!(|data: &[u8]| scout_fuzz::number(data));
}
