//! `mutexcheck check MODEL --cluster ...`: the search on several processes (issue #14), with
//! timely's own process options passed through. Wiring only: the engine is
//! `mutexcheck_cluster`.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use mutexcheck_checker::Guard;
use mutexcheck_cluster::{check_cluster, ClusterConfig, ClusterRequest, ClusterRun};
use mutexcheck_core::System;

/// The cluster options of `check` (timely's `-w`, `-n`, `-p`, and `-h` as `--hostfile`).
#[derive(Args, Debug, Clone)]
pub struct ClusterArgs {
    /// Run the breadth-first search as a timely dataflow over several processes, on one or
    /// several machines: each process holds a shard of the visited set. Start the same
    /// command once per process, with the same host file and model, each with its own `-p`.
    /// Process 0 prints the report and writes the trace (the same as without --cluster);
    /// the others print one line on stderr; all exit with the same code. See docs/cluster.md.
    #[arg(long, conflicts_with_all = ["dfs", "threads"])]
    pub cluster: bool,
    /// (timely) Worker threads in this process; every process must give the same number.
    #[arg(short = 'w', long = "workers", value_name = "N", default_value_t = 1, requires = "cluster",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub workers: u32,
    /// (timely) Processes in the cluster.
    #[arg(short = 'n', long = "processes", value_name = "N", default_value_t = 1, requires = "cluster",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub processes: u32,
    /// (timely) This process's index, 0 to N-1; process 0 prints the report.
    #[arg(short = 'p', long = "process", value_name = "IDX", default_value_t = 0, requires = "cluster")]
    pub process: u32,
    /// (timely) Host file: one `host:port` a line, process 0 first (needed with -n 2 or more).
    /// After `--cluster`, timely's `-h FILE` means this too (elsewhere `-h` is help).
    #[arg(long = "hostfile", value_name = "FILE", requires = "cluster")]
    pub hostfile: Option<String>,
    /// Seconds to wait for every other process of the cluster to connect (exit 2 after).
    #[arg(long, value_name = "SECS", default_value_t = 30.0, requires = "cluster")]
    pub connect_timeout: f64,
}

impl ClusterArgs {
    /// Runs the cluster search in this process (every process of the cluster runs the same
    /// command but for `-p`); `Err` with the message of a cluster error (bad input: exit 2).
    pub fn run(
        &self,
        system: System,
        source: &[u8],
        crashes: Option<u32>,
        request: ClusterRequest,
        guard: Arc<Guard>,
    ) -> Result<ClusterRun, String> {
        let timeout = Duration::try_from_secs_f64(self.connect_timeout.clamp(0.0, 86_400.0)).unwrap_or_default();
        let config = ClusterConfig::new(
            self.workers as usize,
            self.processes as usize,
            self.process as usize,
            self.hostfile.as_deref(),
            timeout,
        )
        .map_err(|e| e.to_string())?;
        let config = ClusterConfig { digest: digest(source, crashes, &request), ..config };
        exit_on_lost_peer();
        check_cluster(Arc::new(system), request, &config, guard).map_err(|e| e.to_string())
    }
}

/// Turns a panic on any thread of this process (in practice: timely's network thread when a
/// peer process disappears, "timely communication error: ... socket closed") into a clear
/// message and exit code 2, at once: the workers waiting on the lost peer would otherwise
/// wait forever. Installed by the binary, not the cluster library, which never ends the
/// process.
fn exit_on_lost_peer() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("a thread panicked");
        if what.contains("timely communication error") {
            eprintln!("error: cluster: lost the connection to another process of the cluster ({what}); the search is abandoned");
        } else {
            eprintln!("error: cluster: {what} ({})", info.location().map_or(String::new(), |l| l.to_string()));
        }
        std::process::exit(crate::exit::BAD_INPUT);
    }));
}

/// What every process of a cluster must agree on: the model file's bytes, the crash budget and the options
/// that change the search (hashed with std's SipHash, the same in every copy of the binary).
fn digest(source: &[u8], crashes: Option<u32>, request: &ClusterRequest) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    source.hash(&mut h);
    crashes.hash(&mut h);
    // The time and memory bounds are each process's own business.
    let limits = (request.limits.max_states, request.limits.max_depth);
    (request.fingerprints, request.reductions, limits).hash(&mut h);
    h.finish()
}

/// The command line with timely's spelling of the host file made clap's: in `check`, an
/// `-h FILE` after `--cluster` becomes `--hostfile FILE`, so that `-h` elsewhere (and `-h`
/// with no file after it) is help, as in every other command.
pub fn hostfile_spelling(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).and_then(|a| a.to_str()) != Some("check") {
        return args;
    }
    let mut out = Vec::with_capacity(args.len());
    let mut cluster = false;
    let mut rest = false;
    for (i, arg) in args.iter().enumerate() {
        let word = arg.to_str().unwrap_or("");
        let next_is_value = args.get(i + 1).and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with('-'));
        if rest {
            out.push(arg.clone());
            continue;
        }
        match word {
            "--" => rest = true,
            "--cluster" => cluster = true,
            "-h" if cluster && next_is_value => {
                out.push("--hostfile".into());
                continue;
            }
            _ => {}
        }
        out.push(arg.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hostfile_spelling;

    fn spelled(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(Into::into).collect();
        hostfile_spelling(args).into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn dash_h_with_a_file_after_cluster_is_the_host_file_and_help_everywhere_else() {
        let after = spelled(&["mc", "check", "m.mc", "--cluster", "-n", "2", "-h", "hosts.txt"]);
        assert_eq!(after, ["mc", "check", "m.mc", "--cluster", "-n", "2", "--hostfile", "hosts.txt"]);
        // Before --cluster, at the end, before another option, in another command: help.
        for args in [
            &["mc", "check", "-h", "m.mc", "--cluster"][..],
            &["mc", "check", "m.mc", "--cluster", "-h"],
            &["mc", "check", "m.mc", "--cluster", "-h", "--json"],
            &["mc", "replay", "--cluster", "-h", "t.json"],
            &["mc", "check", "--", "--cluster", "-h", "x"],
        ] {
            assert_eq!(spelled(args), args);
        }
    }
}
