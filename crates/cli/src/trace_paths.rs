//! Where a trace's model is, seen from the trace, and where a trace goes: a trace names its
//! model relative to its own directory (format version 4) so that `replay` and `view` work
//! from any directory, and a trace of one model file never replaces a trace of another.

use std::path::{Component, Path, PathBuf};

use mutexcheck_checker::trace::TraceFile;

/// The path of `model` relative to the directory of `trace_path` (created if missing), with
/// `/` separators: `traces/x.json` and `models/x.mc` give `../models/x.mc`. `None` when
/// either cannot be resolved or they share no root (another drive).
pub fn model_from_trace_dir(trace_path: &str, model: &str) -> Option<String> {
    let dir = Path::new(trace_path).parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).ok()?;
    let dir = dir.canonicalize().ok()?;
    let model = Path::new(model).canonicalize().ok()?;
    let common = dir.components().zip(model.components()).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); dir.components().count() - common];
    for c in model.components().skip(common) {
        parts.push(c.as_os_str().to_str()?.to_string());
    }
    Some(parts.join("/"))
}

/// The candidates for the model of `trace` read from `trace_path`, in the order tried: the
/// path relative to the trace's directory (version 4), then the path as `check` was given
/// it, relative to the current directory.
fn candidates(trace_path: &str, trace: &TraceFile) -> Vec<PathBuf> {
    let dir = Path::new(trace_path).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    if let Some(rel) = &trace.model.from_trace_dir {
        out.push(dir.join(rel));
    }
    out.push(PathBuf::from(&trace.model.path));
    out
}

/// The model file `trace` names, found from the current directory, or the error that says
/// where each path the trace gives came from and that `--model` exists.
pub fn resolve_model(trace_path: &str, trace: &TraceFile) -> Result<String, String> {
    let found = candidates(trace_path, trace).into_iter().find(|p| p.is_file());
    if let Some(path) = found {
        // `traces/../models/x.mc` reads as `models/x.mc` when that is the same file.
        let short = PathBuf::from(tidy(&path));
        let same = short.canonicalize().ok().is_some_and(|s| path.canonicalize().is_ok_and(|p| p == s));
        return Ok(if same { short } else { path }.to_string_lossy().into_owned());
    }
    let path = &trace.model.path;
    let names = match &trace.model.from_trace_dir {
        Some(rel) => {
            let dir = Path::new(trace_path).parent().unwrap_or(Path::new(""));
            format!(
                "as {rel} (relative to the trace's directory: {}) and as {path} (relative to the directory check ran in); neither is found",
                tidy(&dir.join(rel))
            )
        }
        None => format!("as {path} (relative to the directory check ran in); not found"),
    };
    Err(format!("the trace {trace_path} names its model {names}; give it with --model PATH"))
}

/// A path without `.` components and with `dir/..` taken out, for messages: `..` is
/// resolved by the text alone (a symbolic link before it could make this another file).
fn tidy(path: &Path) -> String {
    let mut kept = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(kept.components().next_back(), Some(Component::Normal(_))) => {
                kept.pop();
            }
            c => kept.push(c),
        }
    }
    if kept.as_os_str().is_empty() {
        ".".to_string()
    } else {
        kept.to_string_lossy().into_owned()
    }
}

/// The prefix a default trace name takes from the model's directory: none for a model in
/// a directory named `models` or in the current one, else the directory's name and a dot
/// (`student/seed_bug.mc` writes `traces/student.seed_bug.json`), so that a copy of a
/// classroom model elsewhere never lands on the golden trace.
pub fn directory_prefix(model: &str) -> String {
    let dir = Path::new(model).parent().and_then(|d| d.file_name()).and_then(|d| d.to_str());
    match dir {
        None | Some("models") => String::new(),
        Some(name) => format!("{name}."),
    }
}

/// When the file at `trace_path` (its bytes `old`) is a trace of another model file than
/// `model`, the path that trace names; `None` when it is not a trace, or a trace of `model`.
pub fn trace_of_another_model(trace_path: &str, old: &[u8], model: &str) -> Option<String> {
    let old = TraceFile::parse(old).ok()?;
    let ours = Path::new(model).canonicalize().ok()?;
    let same = candidates(trace_path, &old).iter().any(|p| p.canonicalize().is_ok_and(|p| p == ours));
    (!same).then(|| old.model.path.clone())
}

#[cfg(test)]
mod tests {
    use super::directory_prefix;

    #[test]
    fn only_models_outside_models_and_the_current_directory_get_a_prefix() {
        assert_eq!(directory_prefix("models/seed_bug.mc"), "");
        assert_eq!(directory_prefix("../mc/models/seed_bug.mc"), "");
        assert_eq!(directory_prefix("seed_bug.mc"), "");
        assert_eq!(directory_prefix("./seed_bug.mc"), "");
        assert_eq!(directory_prefix("student/seed_bug.mc"), "student.");
        assert_eq!(directory_prefix("/home/ann/work/seed_bug.mc"), "work.");
    }
}
