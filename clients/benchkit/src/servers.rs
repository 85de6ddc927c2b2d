//! The servers a benchmark's clients talk to: one, or the replicas of the
//! scaled-out shape. The first takes the set-up and control calls; client
//! `i` opens its connection to replica `i mod n`, as a load balancer that
//! places each connection on the next replica would.

use std::time::Duration;

use anyhow::{Context as _, bail};
use eiso_proto::tonic::transport::{Channel, Endpoint};

pub struct Servers {
    endpoints: Vec<(String, Endpoint)>,
}

impl Servers {
    /// `first` and the `others`, each `http://HOST:PORT`.
    pub fn new(first: &str, others: &[String], connect_timeout: Duration, timeout: Duration) -> anyhow::Result<Self> {
        let mut endpoints = Vec::new();
        for url in std::iter::once(first).chain(others.iter().map(String::as_str)) {
            if !url.starts_with("http://") {
                bail!("`{url}` is not a server address: expected http://HOST:PORT");
            }
            let endpoint = Endpoint::from_shared(url.to_string())
                .with_context(|| format!("`{url}` is not a server address"))?
                .connect_timeout(connect_timeout)
                .timeout(timeout)
                .tcp_nodelay(true);
            endpoints.push((url.to_string(), endpoint));
        }
        Ok(Self { endpoints })
    }

    /// A connection to the first server.
    pub async fn control(&self) -> anyhow::Result<Channel> {
        let (url, endpoint) = &self.endpoints[0];
        endpoint
            .connect()
            .await
            .with_context(|| format!("cannot connect to {url}"))
    }

    /// `clients` connections, spread over the servers, all open before any
    /// clock starts.
    pub async fn clients(&self, clients: u32) -> anyhow::Result<Vec<Channel>> {
        futures::future::try_join_all((0..clients as usize).map(|i| {
            let (url, endpoint) = &self.endpoints[i % self.endpoints.len()];
            async move {
                endpoint
                    .connect()
                    .await
                    .with_context(|| format!("cannot connect to {url}"))
            }
        }))
        .await
    }

    /// How many servers.
    pub fn len(&self) -> usize {
        self.endpoints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }
}
