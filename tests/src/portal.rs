//! A server that synchronises its dossiers to the portal's simulator.

use eiso_platform::config::PortalConfig;
use eiso_portal_sim::{Config, Simulator};

use crate::TestServer;

/// The agency code the simulator knows eiso's account by.
pub const PORTAL_AGENCY: &str = "000.31.H31";
pub const PORTAL_USERNAME: &str = "hp-gddt";
const PORTAL_PASSWORD: &str = "mat-khau-cong";

impl TestServer {
    /// The portal's simulator, and a server delivering to it every second
    /// (calls time out after 5 s).
    pub async fn with_portal() -> (Simulator, TestServer) {
        Self::with_portal_and(|_| {}).await
    }

    /// [`TestServer::with_portal`], the configuration changed by `configure`
    /// besides.
    pub async fn with_portal_and(
        configure: impl FnOnce(&mut eiso_platform::config::Config),
    ) -> (Simulator, TestServer) {
        let simulator =
            Simulator::start(Config::default().with_account(PORTAL_USERNAME, PORTAL_PASSWORD, PORTAL_AGENCY))
                .await
                .expect("the portal's simulator starts");
        let url = simulator.url();
        let server = TestServer::start_configured(|config| {
            config.portal = Some(PortalConfig {
                url,
                username: PORTAL_USERNAME.into(),
                password: PORTAL_PASSWORD.into(),
                agency_code: PORTAL_AGENCY.into(),
                timeout_seconds: 5,
                interval_seconds: 1,
                procedure_codes: Default::default(),
            });
            configure(config);
        })
        .await;
        (simulator, server)
    }
}
