//! Trace format version 3 (`called_from`, the procedure calls a statement sits in) next to
//! the older versions: what each may hold, and that old traces still read and replay.

use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile};

mod shipped;

use shipped::{system_of, trace_of};

#[test]
fn a_version_2_trace_still_reads_and_replays() {
    // Version 3 only added `called_from`, absent where no procedure is called: a trace of
    // a model without procedures written before it is the same document with version 2.
    // Version 4's typed values and `killed` are left out: a version 2 trace has none.
    let mut v4 = trace_of("seed_bug.mc");
    for change in v4.steps.iter_mut().flat_map(|s| &mut s.changes) {
        (change.before_value, change.after_value) = (None, None);
    }
    v4.steps.iter_mut().for_each(|s| s.killed.clear());
    let v4 = v4.to_json();
    assert!(!v4.contains("called_from"));
    let v2 = v4.replacen("\"version\": 4", "\"version\": 2", 1);
    let trace = TraceFile::parse(v2.as_bytes()).unwrap();
    assert_eq!(trace.version, 2);
    let (system, _) = system_of("seed_bug.mc");
    assert!(matches!(replay(&system, &trace).verdict, ReplayVerdict::Reproduced(_)));
}

#[test]
fn a_trace_of_procedures_round_trips_and_only_version_3_may_have_called_from() {
    let trace = trace_of("proc_acquire_bug.mc");
    let called: Vec<Vec<&str>> =
        trace.steps.iter().map(|s| s.called_from.iter().map(|c| c.proc.as_str()).collect()).collect();
    assert_eq!(called[0], Vec::<&str>::new());
    assert_eq!(called[2], vec!["update", "acquire"]);
    let text = trace.to_json();
    assert_eq!(TraceFile::parse(text.as_bytes()).unwrap(), trace);
    let (system, _) = system_of("proc_acquire_bug.mc");
    assert!(matches!(replay(&system, &trace).verdict, ReplayVerdict::Reproduced(_)));
    let v2 = text.replacen("\"version\": 4", "\"version\": 2", 1);
    assert_eq!(
        TraceFile::parse(v2.as_bytes()).unwrap_err().to_string(),
        "the trace is malformed: `called_from` is a version 3 field, but the trace says version 2"
    );
}
