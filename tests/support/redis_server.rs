//! A `redis-server` of a test's own on a free loopback port and a temporary folder, for
//! tests that kill Redis or lock it with a password and must not touch a shared server.
//! Killed when dropped, however the test ends.

// Each test binary uses the part it needs (a restart, the log) of this one helper.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server the test owns.
pub struct RedisServer {
    port: u16,
    dir: tempfile::TempDir,
    password: Option<String>,
    args: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server with `args` (persistence settings…), requiring `password` when
    /// given, and waits until it answers PING.
    pub fn start(password: Option<&str>, args: &[&str]) -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut server = RedisServer {
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            password: password.map(str::to_owned),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            child: None,
        };
        server.start_again();
        server
    }

    /// The URL to reach it, password included.
    pub fn url(&self) -> String {
        match &self.password {
            Some(password) => format!("redis://:{password}@127.0.0.1:{}/", self.port),
            None => format!("redis://127.0.0.1:{}/", self.port),
        }
    }

    /// Runs `redis-server` on the same port, folder and settings (after [`Self::kill`],
    /// on the files the killed one left), and waits until it answers PING — not LOADING:
    /// an append-only file is read before it serves.
    pub fn start_again(&mut self) {
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(self.log())
            .args(&self.args);
        if let Some(password) = &self.password {
            command.args(["--requirepass", password]);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run redis-server ({e}): install it (Debian: apt-get install redis-server)")
            });
        self.child = Some(child);
        let client = redis::Client::open(self.url()).expect("redis URL");
        let started = Instant::now();
        loop {
            let pong = client
                .get_connection()
                .and_then(|mut conn| redis::cmd("PING").query::<String>(&mut conn));
            if pong.as_deref() == Ok("PONG") {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not come up: {pong:?}\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no shutdown, no final flush; only what its files hold survives.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The last lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
