//! How the processes of a cluster find each other: timely's own options (`-w` workers per
//! process, `-n` processes, `-p` this process, `-h` host file), and the TCP connections
//! between the processes, made here with a deadline.
//!
//! timely_communication would connect on its own, but it retries a missing peer forever and
//! prints its progress on standard output, which the report owns. So the sockets are made
//! here, the way timely makes them (process `i` connects to every process below it and
//! accepts every process above it, each connection opened by the connecting process's
//! index), and handed to `initialize_networking_from_sockets`, timely's entry point for
//! connected sockets. A peer that is not up by the deadline is a [`ClusterError`].

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use timely::communication::allocator::zero_copy::initialize::{initialize_networking_from_sockets, CommsGuard};
use timely::communication::allocator::ProcessBuilder;
use timely::communication::{AllocatorBuilder, Hooks};

/// A cluster run failed before or while the search ran: a clear message, exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterError(pub String);

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where this process sits in the cluster: timely's `-w`, `-n`, `-p` and `-h`, plus how long
/// to wait for the other processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Worker threads in this process (`-w`); every process must give the same number.
    pub workers: usize,
    /// Processes in the cluster (`-n`).
    pub processes: usize,
    /// This process's index, 0 to `processes - 1` (`-p`); process 0 prints the report.
    pub process: usize,
    /// `host:port` of every process, in process order (the first `processes` lines of the
    /// host file given with `-h`).
    pub addresses: Vec<String>,
    /// How long to wait for every other process to be connected.
    pub connect_timeout: Duration,
    /// A digest of what the search depends on (the model, the options): the processes
    /// compare theirs when they connect, so that a cluster never mixes two different runs.
    pub digest: u64,
}

impl ClusterConfig {
    /// Checks the options and reads the host file: its first `processes` non-empty lines are
    /// the processes' addresses (`host:port`), in process order.
    pub fn new(
        workers: usize,
        processes: usize,
        process: usize,
        hostfile: Option<&str>,
        connect_timeout: Duration,
    ) -> Result<ClusterConfig, ClusterError> {
        let fail = |m: String| Err(ClusterError(m));
        if workers == 0 || processes == 0 {
            return fail("cluster: -w and -n must be at least 1".into());
        }
        if process >= processes {
            return fail(format!("cluster: -p {process} is not a process of -n {processes} (0 to {})", processes - 1));
        }
        let mut addresses = Vec::new();
        if processes > 1 {
            let Some(path) = hostfile else {
                return fail(format!("cluster: -n {processes} needs a host file (-h FILE, one host:port a line)"));
            };
            let text = std::fs::read_to_string(path)
                .map_err(|e| ClusterError(format!("cluster: cannot read the host file `{path}`: {e}")))?;
            addresses =
                text.lines().map(str::trim).filter(|l| !l.is_empty()).take(processes).map(String::from).collect();
            if addresses.len() < processes {
                return fail(format!(
                    "cluster: the host file `{path}` names {} processes, -n asks for {processes}",
                    addresses.len()
                ));
            }
        }
        Ok(ClusterConfig { workers, processes, process, addresses, connect_timeout, digest: 0 })
    }

    /// Workers in the whole cluster.
    pub fn peers(&self) -> usize {
        self.workers * self.processes
    }
}

/// The timely allocators of this process's workers and the guard of its network threads,
/// once every other process is connected; a [`ClusterError`] when one is not by the
/// deadline.
pub fn connect(config: &ClusterConfig) -> Result<(Vec<AllocatorBuilder>, Option<CommsGuard>), ClusterError> {
    let hooks = Hooks::default();
    let locals = ProcessBuilder::new_typed_vector(config.workers, hooks.refill.clone(), hooks.spill.clone());
    if config.processes == 1 {
        return Ok((locals.into_iter().map(AllocatorBuilder::Process).collect(), None));
    }
    let sockets = sockets(config)?;
    let (builders, guard) = initialize_networking_from_sockets(locals, sockets, config.process, config.workers, hooks)
        .map_err(|e| ClusterError(format!("cluster: cannot start the network threads: {e}")))?;
    Ok((builders.into_iter().map(AllocatorBuilder::Tcp).collect(), Some(guard)))
}

/// One connected socket per other process, in process order, `None` at this process.
fn sockets(config: &ClusterConfig) -> Result<Vec<Option<TcpStream>>, ClusterError> {
    let deadline = Instant::now() + config.connect_timeout;
    let me = config.process;
    let own = &config.addresses[me];
    let listener = TcpListener::bind(own.as_str())
        .map_err(|e| ClusterError(format!("cluster: process {me} cannot listen on {own}: {e}")))?;
    listener.set_nonblocking(true).map_err(|e| ClusterError(format!("cluster: {e}")))?;
    let mut sockets: Vec<Option<TcpStream>> = (0..config.processes).map(|_| None).collect();
    // Connect to every process below this one, retrying until the deadline...
    for (p, address) in config.addresses.iter().enumerate().take(me) {
        let mut stream = loop {
            match connect_once(address) {
                Ok(stream) => break stream,
                Err(e) if Instant::now() >= deadline => {
                    return Err(ClusterError(format!(
                        "cluster: process {me} could not connect to process {p} at {address} within {:.0} s ({e}); is it running, and is the port open?",
                        config.connect_timeout.as_secs_f64()
                    )))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        let hello: Vec<u8> =
            [me as u64, config.workers as u64, config.digest].iter().flat_map(|v| v.to_le_bytes()).collect();
        stream
            .write_all(&hello)
            .map_err(|e| ClusterError(format!("cluster: lost process {p} at {address} while connecting: {e}")))?;
        sockets[p] = Some(stream);
    }
    // ...and accept every process above it.
    let mut missing = config.processes - me - 1;
    while missing > 0 {
        match listener.accept() {
            Ok((mut stream, _)) => {
                stream.set_nonblocking(false).map_err(|e| ClusterError(format!("cluster: {e}")))?;
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let mut hello = [0u8; 24];
                if stream.read_exact(&mut hello).is_err() {
                    continue; // not one of ours (a port scanner, a stale client): ignore it
                }
                stream.set_read_timeout(None).ok();
                let word = |i: usize| u64::from_le_bytes(hello[i * 8..i * 8 + 8].try_into().unwrap_or_default());
                let p = word(0) as usize;
                if word(1) != config.workers as u64 {
                    return Err(ClusterError(format!(
                        "cluster: process {p} runs {} worker(s) (-w), process {me} runs {}: every process must give the same -w",
                        word(1),
                        config.workers
                    )));
                }
                if word(2) != config.digest {
                    return Err(ClusterError(format!(
                        "cluster: process {p} checks another model or with other options than process {me}: every process must run the same command but for -p"
                    )));
                }
                if p <= me || p >= config.processes || sockets[p].is_some() {
                    return Err(ClusterError(format!(
                        "cluster: process {me} got a connection claiming to be process {p}: are two clusters sharing ports?"
                    )));
                }
                stream.set_nodelay(true).ok();
                sockets[p] = Some(stream);
                missing -= 1;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    let absent: Vec<String> =
                        (me + 1..config.processes).filter(|&p| sockets[p].is_none()).map(|p| p.to_string()).collect();
                    return Err(ClusterError(format!(
                        "cluster: process {me} waited {:.0} s on {own} for process(es) {} to connect; are they running with the same host file?",
                        config.connect_timeout.as_secs_f64(),
                        absent.join(", ")
                    )));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(ClusterError(format!("cluster: process {me} cannot accept on {own}: {e}"))),
        }
    }
    Ok(sockets)
}

/// One connection attempt with a short timeout per resolved address.
fn connect_once(address: &str) -> std::io::Result<TcpStream> {
    let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "the address resolves to nothing");
    for addr in address.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}
