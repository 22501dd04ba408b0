//! Runs one target on saved inputs without AFL: `replay TARGET FILE...`. For reproducing a
//! crash under a debugger, and for checking the seed corpus builds and runs.

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().expect("usage: replay TARGET FILE...");
    let run = scout_fuzz::target(&target).unwrap_or_else(|| panic!("unknown target `{target}`"));
    let mut n = 0;
    for path in args {
        let data = std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
        eprintln!("{target}: {path}");
        run(&data);
        n += 1;
    }
    println!("{target}: {n} inputs, no crash");
}
