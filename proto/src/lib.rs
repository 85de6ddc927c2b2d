//! eiso's API contract: the code generated from `proto/eiso/**/*.proto`.
//!
//! Every crate takes `tonic` and `prost` from here, so the whole workspace uses
//! one version of each.

pub use prost;
pub use prost_types;
pub use tonic;
pub use tonic_types;

include!(concat!(env!("OUT_DIR"), "/eiso.rs"));

pub mod codes;
pub mod labels;

/// The encoded `FileDescriptorSet` of every eiso proto, for server reflection
/// and for tests that enumerate the API's methods.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/eiso_descriptor.bin"));

/// Every gRPC method of the API as `/package.Service/Method`, read from the
/// descriptor set.
pub fn all_methods() -> Result<Vec<String>, prost::DecodeError> {
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET)?;
    let mut methods = Vec::new();
    for file in &set.file {
        let package = file.package();
        for service in &file.service {
            for method in &service.method {
                methods.push(format!("/{package}.{}/{}", service.name(), method.name()));
            }
        }
    }
    methods.sort();
    Ok(methods)
}

#[cfg(test)]
mod tests {
    #[test]
    fn descriptor_set_lists_the_identity_methods() {
        let methods = super::all_methods().expect("descriptor set decodes");
        assert!(methods.contains(&"/eiso.identity.v1.IdentityService/Login".to_string()));
        assert!(methods.contains(&"/eiso.audit.v1.AuditService/VerifyAuditTrail".to_string()));
    }
}
