//! Where each service a process does not host answers: `[upstream]`'s
//! `url` (one process, or a load balancer that routes by service), or the
//! service's own route (`routes`). Every upstream signs in as the one
//! service identity, at identity's address, and shares its token.

use std::collections::BTreeMap;
use std::sync::Arc;

use eiso_platform::config::{SERVICES, UpstreamConfig, UpstreamError};

use crate::Upstream;

/// The upstream of every service, by service name.
#[derive(Debug)]
pub struct Routes {
    default: Arc<Upstream>,
    by_service: BTreeMap<&'static str, Arc<Upstream>>,
}

impl Routes {
    /// The upstreams `config` describes; nothing is connected yet. Needs a
    /// running tokio runtime.
    pub fn new(config: &UpstreamConfig) -> Result<Self, UpstreamError> {
        Self::with_timeout(config, config.timeout())
    }

    /// [`Routes::new`] with another deadline per call than `config`'s (file
    /// downloads).
    pub fn with_timeout(config: &UpstreamConfig, timeout: std::time::Duration) -> Result<Self, UpstreamError> {
        let default = Arc::new(Upstream::new(config)?.with_timeout(timeout));
        let by_service = SERVICES
            .into_iter()
            .map(|service| Ok((service, default.to_service(config, service)?)))
            .collect::<Result<_, UpstreamError>>()?;
        Ok(Self { default, by_service })
    }

    /// Where `service` (a name of `services`) answers.
    pub fn to(&self, service: &str) -> Arc<Upstream> {
        self.by_service.get(service).unwrap_or(&self.default).clone()
    }

    /// Where `method` (`/package.Service/Method`) is answered: its
    /// service's upstream; the audit and event services' at `url`.
    pub fn for_method(&self, method: &str) -> Arc<Upstream> {
        eiso_platform::config::service_of(method).map_or_else(|| self.default.clone(), |service| self.to(service))
    }

    /// Each upstream once, by url.
    pub fn distinct(&self) -> Vec<Arc<Upstream>> {
        let mut seen = BTreeMap::new();
        for upstream in std::iter::once(&self.default).chain(self.by_service.values()) {
            seen.entry(upstream.url().to_string())
                .or_insert_with(|| upstream.clone());
        }
        seen.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_routed_service_answers_at_its_route_and_the_others_at_the_url() {
        let config = UpstreamConfig::new("http://10.0.0.5:50051/")
            .with_service_identity("clients/c", "s")
            .with_route("documents", "http://10.0.0.6:50051")
            .with_route("procedures", "http://10.0.0.6:50051");
        let routes = Routes::new(&config).expect("routes");
        assert_eq!(routes.to("documents").url(), "http://10.0.0.6:50051");
        assert_eq!(routes.to("procedures").url(), "http://10.0.0.6:50051");
        assert_eq!(routes.to("identity").url(), "http://10.0.0.5:50051");
        assert_eq!(routes.to("plans").url(), "http://10.0.0.5:50051");
        let urls: Vec<String> = routes.distinct().iter().map(|u| u.url().to_string()).collect();
        assert_eq!(urls, ["http://10.0.0.5:50051", "http://10.0.0.6:50051"]);
        assert_eq!(routes.to("documents").service_principal().as_deref(), Some("clients/c"));
        assert_eq!(
            routes.for_method("/eiso.procedures.v1.DossierService/GetDossier").url(),
            "http://10.0.0.6:50051"
        );
        assert_eq!(
            routes.for_method("/eiso.event.v1.EventService/GetEventStream").url(),
            "http://10.0.0.5:50051"
        );
        let files = Routes::with_timeout(&config, std::time::Duration::from_secs(300)).expect("routes");
        assert_eq!(files.to("documents").timeout(), std::time::Duration::from_secs(300));
        assert_eq!(files.to("documents").url(), "http://10.0.0.6:50051");
    }
}
