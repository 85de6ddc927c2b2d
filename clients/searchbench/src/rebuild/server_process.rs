//! The server process as `/proc` shows it (same machine): CPU time, its own
//! and its reaped children's (the text-extraction processes), and memory.

use anyhow::Context as _;

/// CPU time of the process, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuTimes {
    /// Its own threads (user + system).
    pub own: f64,
    /// Its children that ended and were waited for (user + system).
    pub children: f64,
}

impl std::ops::Sub for CpuTimes {
    type Output = CpuTimes;

    fn sub(self, before: CpuTimes) -> CpuTimes {
        CpuTimes {
            own: self.own - before.own,
            children: self.children - before.children,
        }
    }
}

pub struct ServerProcess {
    pid: u32,
    ticks_per_second: f64,
}

impl ServerProcess {
    pub fn new(pid: u32) -> anyhow::Result<Self> {
        let process = ServerProcess {
            pid,
            ticks_per_second: clock_ticks(),
        };
        process.cpu()?;
        Ok(process)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// utime + stime and cutime + cstime from `/proc/PID/stat`.
    pub fn cpu(&self) -> anyhow::Result<CpuTimes> {
        let path = format!("/proc/{}/stat", self.pid);
        let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        let ticks = stat_ticks(&stat).with_context(|| format!("cannot parse {path}"))?;
        Ok(CpuTimes {
            own: (ticks[0] + ticks[1]) as f64 / self.ticks_per_second,
            children: (ticks[2] + ticks[3]) as f64 / self.ticks_per_second,
        })
    }

    /// A `VmXXX:` line of `/proc/PID/status`, in KiB.
    fn status_kib(&self, key: &str) -> anyhow::Result<u64> {
        let path = format!("/proc/{}/status", self.pid);
        let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(key)?.split_whitespace().next()?.parse().ok())
            .with_context(|| format!("no {key} in {path}"))
    }

    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        self.status_kib("VmRSS:")
    }

    /// The peak RSS since the start or the last [`Self::reset_peak`].
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        self.status_kib("VmHWM:")
    }

    /// Resets the peak RSS to the current RSS (`5` to `/proc/PID/clear_refs`,
    /// Linux 4.0 and later; the process must be ours or we root).
    pub fn reset_peak(&self) -> anyhow::Result<()> {
        let path = format!("/proc/{}/clear_refs", self.pid);
        std::fs::write(&path, "5").with_context(|| format!("cannot write {path}"))
    }
}

/// utime, stime, cutime, cstime: fields 14–17 of `/proc/PID/stat`, counted
/// after the command name's closing parenthesis (the name may hold spaces).
fn stat_ticks(stat: &str) -> Option<[u64; 4]> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Field 3 (state) is the first after the name; utime is field 14.
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some([field(14)?, field(15)?, field(16)?, field(17)?])
}

/// `getconf CLK_TCK`, 100 when it cannot be asked (what Linux uses).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok()?.trim().parse::<f64>().ok())
        .filter(|&ticks| ticks > 0.0)
        .unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_read_after_the_name() {
        let stat = "4242 (eiso server) S 1 4242 4242 0 -1 4194560 2500 0 0 0 731 95 12 3 20 0 9 0 1234 \
                    1000000 5000 18446744073709551615";
        assert_eq!(stat_ticks(stat), Some([731, 95, 12, 3]));
        assert_eq!(stat_ticks("4242 (x) S 1"), None);
    }

    #[test]
    fn this_process_can_be_read() -> anyhow::Result<()> {
        let me = ServerProcess::new(std::process::id())?;
        assert!(me.rss_kib()? > 0);
        assert!(me.peak_rss_kib()? >= me.rss_kib()? / 2);
        assert!(me.cpu()?.own >= 0.0);
        Ok(())
    }
}
