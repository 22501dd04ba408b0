//! AFL entry point for the `script` target: see `scout_fuzz::script`.

fn main() {
    afl::fuzz!(|data: &[u8]| scout_fuzz::script(data));
}
