//! A second server on a [`TestServer`]'s storage, as another replica behind
//! the same load balancer: its own pools and search index, the same tables
//! and file store.

use eiso_platform::clock::Clock;
use tonic::transport::Channel;

use crate::TestServer;

pub struct Replica {
    pub addr: std::net::SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
    _search: tempfile::TempDir,
}

impl Replica {
    /// Starts a replica of `first` whose services read time from `clock`.
    pub async fn start(first: &TestServer, clock: Clock) -> Self {
        Self::start_configured(first, clock, |_| {}).await
    }

    /// Starts a process on `first`'s storage with its configuration as
    /// `configure` changes it (a process hosting some services, with
    /// `[upstream]`).
    pub async fn start_configured(
        first: &TestServer,
        clock: Clock,
        configure: impl FnOnce(&mut eiso_platform::config::Config),
    ) -> Self {
        let search = tempfile::tempdir().unwrap();
        let mut config = first.config.clone();
        config.search_dir = Some(search.path().to_path_buf());
        configure(&mut config);
        config.validate().unwrap();
        let app = eiso_server::App::prepare_with_clock(config, clock).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(app.serve(listener, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            shutdown,
            handle,
            _search: search,
        }
    }

    /// A channel to this replica.
    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    /// A channel to this replica, connected on first use.
    pub fn lazy_channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect_lazy()
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        self.handle.await.unwrap().unwrap();
    }
}
