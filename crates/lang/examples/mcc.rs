//! Compiles a model file and prints its IR or its diagnostics (a debugging aid).

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_default();
    match mutexcheck_lang::compile(&path, &bytes) {
        Ok(m) => println!("{m:#?}"),
        Err(d) => print!("{}", d.render(&path, &bytes)),
    }
}
