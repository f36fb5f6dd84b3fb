//! Name errors that teach: the C names of results (`WAIT_ABANDONED`, `EOWNERDEAD`) and of
//! mutex calls (`pthread_mutex_lock(m)`, `WaitForSingleObject(m, ...)`) point at the model
//! language's words, in the model's flavor.

use mutexcheck_core::ir::{posix_result, result, Semantics};

/// A result as Win32 or POSIX C code names it: the C name, the flavor and the model's name.
const C_RESULTS: [(&str, Semantics, &str); 14] = [
    ("WAIT_OBJECT_0", Semantics::Win32, "OK"),
    ("ERROR_SUCCESS", Semantics::Win32, "OK"),
    ("WAIT_ABANDONED", Semantics::Win32, "ABANDONED"),
    ("WAIT_ABANDONED_0", Semantics::Win32, "ABANDONED"),
    ("WAIT_TIMEOUT", Semantics::Win32, "TIMEOUT"),
    ("ERROR_NOT_OWNER", Semantics::Win32, "NOT_OWNER"),
    ("EOWNERDEAD", Semantics::Posix, "OWNERDEAD"),
    ("ENOTRECOVERABLE", Semantics::Posix, "NOTRECOVERABLE"),
    ("EDEADLK", Semantics::Posix, "DEADLK"),
    ("EBUSY", Semantics::Posix, "BUSY"),
    ("ETIMEDOUT", Semantics::Posix, "TIMEDOUT"),
    ("EPERM", Semantics::Posix, "PERM"),
    ("EINVAL", Semantics::Posix, "INVAL"),
    ("EAGAIN", Semantics::Posix, "AGAIN"),
];

/// The other flavor's nearest result, for a result name used in the wrong flavor: what the
/// same event is called there (`None` when it has no counterpart).
fn counterpart(name: &str) -> Option<&'static str> {
    Some(match name {
        "OK" => "OK",
        "ABANDONED" => "OWNERDEAD",
        "OWNERDEAD" => "ABANDONED",
        "TIMEOUT" => "TIMEDOUT",
        "TIMEDOUT" | "BUSY" => "TIMEOUT",
        "NOT_OWNER" => "PERM",
        "PERM" => "NOT_OWNER",
        _ => return None,
    })
}

fn flavor_name(s: Semantics) -> &'static str {
    match s {
        Semantics::Win32 => "Win32",
        Semantics::Posix => "POSIX",
    }
}

/// The help for an unknown name that is a result under its C name (`WAIT_ABANDONED`,
/// `EOWNERDEAD`) in a model of flavor `semantics`; `None` when it is none.
pub(crate) fn c_result_hint(name: &str, semantics: Semantics) -> Option<String> {
    let (_, flavor, model) = C_RESULTS.iter().find(|(c, _, _)| *c == name)?;
    if *flavor == semantics {
        return Some(format!("did you mean `{model}`? Results are named without C's prefix"));
    }
    let (here, there) = (flavor_name(semantics), flavor_name(*flavor));
    Some(match counterpart(model) {
        Some(other) => format!("`{name}` is a {there} result; in this {here} model write `{other}`"),
        None => format!("`{name}` is a {there} result; this model uses {here} semantics"),
    })
}

/// The result of the model's flavor closest to a misspelt `name` (`ABANDONDE`), if any.
pub(crate) fn misspelt_result(name: &str, semantics: Semantics) -> Option<&'static str> {
    let names: &[&'static str] = match semantics {
        Semantics::Win32 => &result::NAMES,
        Semantics::Posix => &posix_result::NAMES,
    };
    super::closest_word(name, names.iter().copied())
}

/// The help for a Win32 result keyword (`ABANDONED`, ...) in a POSIX model.
pub(crate) fn posix_counterpart(name: &str) -> String {
    match counterpart(name) {
        Some(other) => {
            format!("in POSIX semantics this is `{other}`; the POSIX results are {}", posix_result::NAMES.join(", "))
        }
        None => format!("the POSIX results are {}", posix_result::NAMES.join(", ")),
    }
}

/// A C mutex call: its name, its flavor, and the model's operation (`{m}` stands for the
/// mutex) in that flavor and in the other one.
const C_CALLS: [(&str, Semantics, &str, Option<&str>); 8] = [
    ("pthread_mutex_lock", Semantics::Posix, "lock {m}", Some("wait {m}")),
    ("pthread_mutex_trylock", Semantics::Posix, "trylock {m}", Some("try {m}")),
    ("pthread_mutex_timedlock", Semantics::Posix, "timedlock {m}", Some("wait {m} timeout")),
    ("pthread_mutex_unlock", Semantics::Posix, "unlock {m}", Some("release {m}")),
    ("pthread_mutex_consistent", Semantics::Posix, "consistent {m}", None),
    ("WaitForSingleObject", Semantics::Win32, "wait {m}", Some("lock {m}")),
    ("WaitForSingleObjectEx", Semantics::Win32, "wait {m}", Some("lock {m}")),
    ("ReleaseMutex", Semantics::Win32, "release {m}", Some("unlock {m}")),
];

/// The message and help for a call of the C function `name` on mutex `mutex` in a model of
/// flavor `semantics`; `None` when `name` is no C mutex function.
pub(crate) fn c_call(name: &str, mutex: &str, semantics: Semantics) -> Option<(String, String)> {
    let (_, flavor, op, other) = C_CALLS.iter().find(|(c, ..)| *c == name)?;
    let op = op.replace("{m}", mutex);
    let other = other.map(|o| o.replace("{m}", mutex));
    let (here, there) = (flavor_name(semantics), flavor_name(*flavor));
    Some(match (*flavor == semantics, other) {
        (true, _) => (
            format!("`{name}` is a C function; the model writes `{op}`"),
            format!("a mutex operation is a statement, `{op}`, or `let r = {op}` to keep its result"),
        ),
        (false, Some(o)) => (
            format!("`{name}` is a C function; this {here} model writes `{o}`"),
            format!("`{op}` is the {there} operation, for a model with `semantics {}`", there.to_lowercase()),
        ),
        (false, None) => (
            format!("`{name}` is a C function; the model writes `{op}`, a {there} operation"),
            format!(
                "this model uses {here} semantics: add `semantics {}` at the top of the model",
                there.to_lowercase()
            ),
        ),
    })
}
