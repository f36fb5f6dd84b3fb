//! Compiles a model file and prints its IR or its diagnostics: a debugging aid for people
//! working on the language (`cargo run -p mutexcheck-lang --example mcc -- models/seed_bug.mc`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: mcc MODEL.mc");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match mutexcheck_lang::compile(&path, &bytes) {
        Ok(m) => {
            println!("{m:#?}");
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprint!("{}", d.render(&path, &bytes));
            ExitCode::from(2)
        }
    }
}
