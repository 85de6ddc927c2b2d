//! The identity lookups other services need, answered in process by the
//! identity service's public API.

use std::future::Future;
use std::pin::Pin;

use eiso_identity::{Identity, UserSummary};
use eiso_platform::ServiceResult;
use eiso_platform::directory::{Directory, DirectoryUnit, DirectoryUser};
use eiso_proto::eiso::identity::v1::{Role, UnitKind};

pub struct IdentityDirectory(pub Identity);

type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

fn user(summary: UserSummary) -> DirectoryUser {
    DirectoryUser {
        name: summary.name,
        display_name: summary.display_name,
        active: summary.active,
    }
}

impl Directory for IdentityDirectory {
    fn user<'a>(&'a self, name: &'a str) -> Answer<'a, Option<DirectoryUser>> {
        Box::pin(async move { Ok(self.0.user_summary(name).await?.map(user)) })
    }

    fn unit<'a>(&'a self, name: &'a str) -> Answer<'a, Option<DirectoryUnit>> {
        Box::pin(async move {
            Ok(self.0.unit_summary(name).await?.map(|u| DirectoryUnit {
                name: u.name,
                code: u.code,
                display_name: u.display_name,
                active: u.active,
                place_name: u.place_name,
                letterhead: u.letterhead,
            }))
        })
    }

    fn users_in_unit<'a>(&'a self, name: &'a str) -> Answer<'a, Vec<DirectoryUser>> {
        Box::pin(async move { Ok(self.0.users_within(name).await?.into_iter().map(user).collect()) })
    }

    fn ancestors<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>> {
        Box::pin(self.0.unit_ancestors(unit))
    }

    fn subtree<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>> {
        Box::pin(self.0.unit_subtree(unit))
    }

    fn units_of_kinds<'a>(&'a self, unit: &'a str, kinds: &'a [UnitKind]) -> Answer<'a, Vec<String>> {
        Box::pin(self.0.units_of_kinds(unit, kinds))
    }

    fn bindings<'a>(&'a self, user: &'a str) -> Answer<'a, Vec<(Role, String)>> {
        Box::pin(self.0.user_bindings(user))
    }
}
