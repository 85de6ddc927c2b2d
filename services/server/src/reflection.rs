//! gRPC server reflection that answers as grpc-go does: a file descriptor
//! comes with the files it depends on, transitively (each file once per
//! stream).
//!
//! tonic-reflection answers `file_containing_symbol` and `file_by_filename`
//! with the one file asked for, and has no option to add its dependencies.
//! Clients that build their descriptor pool from those answers alone (Python
//! grpcio-reflection's `ProtoReflectionDescriptorDatabase`, and other simple
//! ones) then cannot resolve `google.protobuf.Timestamp` or a message of
//! another eiso package. This is the same service over the same descriptor
//! sets — the files' bytes are served as compiled, so custom options stay —
//! for both `grpc.reflection.v1` and `v1alpha`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use prost::Message;
use prost::encoding::{WireType, decode_key, decode_varint};
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};
use tokio_stream::StreamExt;
use tonic::{Request, Response, Status, Streaming};

/// The two reflection services (v1 and v1alpha) of a process that hosts
/// `hosted` (fully-qualified service names) besides health and reflection:
/// they list exactly those (the descriptor set also holds contracts of
/// services not hosted here) and send each file with its dependencies, as
/// grpc-go does.
pub fn services(
    hosted: &[&str],
) -> anyhow::Result<(
    tonic_reflection::server::v1::ServerReflectionServer<v1::V1>,
    tonic_reflection::server::v1alpha::ServerReflectionServer<v1alpha::V1Alpha>,
)> {
    let mut listed = vec!["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"];
    listed.extend(hosted);
    let index = Arc::new(Index::new(
        &[
            eiso_proto::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
        ],
        &listed,
    )?);
    Ok((
        tonic_reflection::server::v1::ServerReflectionServer::new(v1::V1::new(index.clone())),
        tonic_reflection::server::v1alpha::ServerReflectionServer::new(v1alpha::V1Alpha::new(index)),
    ))
}

/// Every file of the registered descriptor sets, by name, and the file that
/// defines each symbol.
#[derive(Debug, Default)]
pub struct Index {
    services: Vec<String>,
    /// File name → (its encoded bytes as compiled, the names of its imports).
    files: HashMap<String, (Arc<[u8]>, Vec<String>)>,
    /// Fully-qualified symbol → the name of the file defining it.
    symbols: HashMap<String, String>,
}

/// The encoded `FileDescriptorProto`s (field 1) of an encoded
/// `FileDescriptorSet`, byte for byte, without decoding them (decoding drops
/// the custom options prost does not know).
fn split_set(mut buf: &[u8]) -> anyhow::Result<Vec<&[u8]>> {
    let mut files = Vec::new();
    while !buf.is_empty() {
        let (tag, wire_type) = decode_key(&mut buf)?;
        match wire_type {
            WireType::LengthDelimited => {
                let len = usize::try_from(decode_varint(&mut buf)?)
                    .ok()
                    .filter(|len| *len <= buf.len())
                    .ok_or_else(|| anyhow::anyhow!("truncated descriptor set"))?;
                let (bytes, rest) = buf.split_at(len);
                if tag == 1 {
                    files.push(bytes);
                }
                buf = rest;
            }
            WireType::Varint => {
                decode_varint(&mut buf)?;
            }
            _ => anyhow::bail!("unexpected wire type in a descriptor set"),
        }
    }
    Ok(files)
}

impl Index {
    /// An index of `sets` (encoded `FileDescriptorSet`s) that lists
    /// `services`. A file in more than one set is taken from the first.
    pub fn new(sets: &[&[u8]], services: &[&str]) -> anyhow::Result<Self> {
        let mut index = Index {
            services: services.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        for set in sets {
            for raw in split_set(set)? {
                let file = FileDescriptorProto::decode(raw)?;
                let name = file.name().to_string();
                if index.files.contains_key(&name) {
                    continue;
                }
                index.add_symbols(&file);
                index.files.insert(name, (Arc::from(raw), file.dependency.clone()));
            }
        }
        Ok(index)
    }

    fn add_symbols(&mut self, file: &FileDescriptorProto) {
        let name = file.name().to_string();
        let package = file.package();
        fn qualified(prefix: &str, item: &str) -> String {
            if prefix.is_empty() {
                item.to_string()
            } else {
                format!("{prefix}.{item}")
            }
        }
        let mut symbols = Vec::new();
        fn message(out: &mut Vec<String>, prefix: &str, m: &DescriptorProto) {
            let full = qualified(prefix, m.name());
            for field in &m.field {
                out.push(format!("{full}.{}", field.name()));
            }
            for oneof in &m.oneof_decl {
                out.push(format!("{full}.{}", oneof.name()));
            }
            for e in &m.enum_type {
                enumeration(out, &full, e);
            }
            for nested in &m.nested_type {
                message(out, &full, nested);
            }
            out.push(full);
        }
        fn enumeration(out: &mut Vec<String>, prefix: &str, e: &EnumDescriptorProto) {
            let full = qualified(prefix, e.name());
            for value in &e.value {
                out.push(format!("{full}.{}", value.name()));
            }
            out.push(full);
        }
        for m in &file.message_type {
            message(&mut symbols, package, m);
        }
        for e in &file.enum_type {
            enumeration(&mut symbols, package, e);
        }
        for service in &file.service {
            let full = qualified(package, service.name());
            for method in &service.method {
                symbols.push(format!("{full}.{}", method.name()));
            }
            symbols.push(full);
        }
        for extension in &file.extension {
            symbols.push(qualified(package, extension.name()));
        }
        for symbol in symbols {
            self.symbols.entry(symbol).or_insert_with(|| name.clone());
        }
    }

    /// `file` and every file it imports, transitively, leaving out those in
    /// `sent` (the files this stream already sent) and adding the rest to it.
    /// The asked-for file comes first, as grpc-go sends it.
    fn with_dependencies(&self, file: &str, sent: &mut HashSet<String>) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut queue = vec![file.to_string()];
        let mut first = true;
        while let Some(name) = queue.pop() {
            // The asked-for file is always sent, even if sent before.
            if !first && sent.contains(&name) {
                continue;
            }
            first = false;
            let Some((raw, dependencies)) = self.files.get(&name) else {
                continue;
            };
            if out.len() > self.files.len() {
                break;
            }
            sent.insert(name);
            out.push(raw.to_vec());
            for dependency in dependencies.iter().rev() {
                if !sent.contains(dependency) {
                    queue.push(dependency.clone());
                }
            }
        }
        out
    }

    /// The answer to `file_by_filename`.
    pub fn file_by_filename(&self, name: &str, sent: &mut HashSet<String>) -> Result<Vec<Vec<u8>>, Status> {
        if !self.files.contains_key(name) {
            return Err(Status::not_found(format!("file {name:?} not found")));
        }
        Ok(self.with_dependencies(name, sent))
    }

    /// The answer to `file_containing_symbol`.
    pub fn file_containing_symbol(&self, symbol: &str, sent: &mut HashSet<String>) -> Result<Vec<Vec<u8>>, Status> {
        let symbol = symbol.strip_prefix('.').unwrap_or(symbol);
        match self.symbols.get(symbol) {
            Some(file) => Ok(self.with_dependencies(file, sent)),
            None => Err(Status::not_found(format!("symbol {symbol:?} not found"))),
        }
    }

    pub fn services(&self) -> &[String] {
        &self.services
    }
}

/// Implements one version of the reflection service over an [`Index`]; the
/// messages of v1 and v1alpha are the same, under two packages.
macro_rules! reflection_service {
    ($name:ident, $version:ident) => {
        /// Server reflection over an [`Index`].
        #[derive(Debug, Clone)]
        pub struct $name {
            index: Arc<Index>,
        }

        impl $name {
            pub fn new(index: Arc<Index>) -> Self {
                Self { index }
            }
        }

        #[tonic::async_trait]
        impl tonic_reflection::server::$version::ServerReflection for $name {
            type ServerReflectionInfoStream = futures::stream::BoxStream<
                'static,
                Result<tonic_reflection::pb::$version::ServerReflectionResponse, Status>,
            >;

            async fn server_reflection_info(
                &self,
                request: Request<Streaming<tonic_reflection::pb::$version::ServerReflectionRequest>>,
            ) -> Result<Response<Self::ServerReflectionInfoStream>, Status> {
                use tonic_reflection::pb::$version::server_reflection_request::MessageRequest;
                use tonic_reflection::pb::$version::server_reflection_response::MessageResponse;
                use tonic_reflection::pb::$version::{
                    ErrorResponse, ExtensionNumberResponse, FileDescriptorResponse, ListServiceResponse,
                    ServerReflectionResponse, ServiceResponse,
                };
                let index = self.index.clone();
                let mut requests = request.into_inner();
                let stream = async_stream_like(move |tx| async move {
                    let mut sent = HashSet::new();
                    while let Some(request) = requests.next().await {
                        let request = match request {
                            Ok(request) => request,
                            Err(status) => {
                                let _ = tx.send(Err(status)).await;
                                return;
                            }
                        };
                        let files = |result: Result<Vec<Vec<u8>>, Status>| {
                            result.map(|file_descriptor_proto| {
                                MessageResponse::FileDescriptorResponse(FileDescriptorResponse {
                                    file_descriptor_proto,
                                })
                            })
                        };
                        let answer = match &request.message_request {
                            None => Err(Status::invalid_argument("message_request is required")),
                            Some(MessageRequest::FileByFilename(name)) => {
                                files(index.file_by_filename(name, &mut sent))
                            }
                            Some(MessageRequest::FileContainingSymbol(symbol)) => {
                                files(index.file_containing_symbol(symbol, &mut sent))
                            }
                            Some(MessageRequest::FileContainingExtension(_)) => {
                                Err(Status::not_found("this server defines no extensions"))
                            }
                            // Clients (grpcurl) expect this not to fail: no extensions.
                            Some(MessageRequest::AllExtensionNumbersOfType(name)) => Ok(
                                MessageResponse::AllExtensionNumbersResponse(ExtensionNumberResponse {
                                    base_type_name: name.clone(),
                                    extension_number: Vec::new(),
                                }),
                            ),
                            Some(MessageRequest::ListServices(_)) => {
                                Ok(MessageResponse::ListServicesResponse(ListServiceResponse {
                                    service: index
                                        .services()
                                        .iter()
                                        .map(|name| ServiceResponse { name: name.clone() })
                                        .collect(),
                                }))
                            }
                        };
                        // As grpc-go: a failed lookup is an error message on
                        // the stream, which goes on.
                        let message_response = answer.unwrap_or_else(|status| {
                            MessageResponse::ErrorResponse(ErrorResponse {
                                error_code: status.code() as i32,
                                error_message: status.message().to_string(),
                            })
                        });
                        let response = ServerReflectionResponse {
                            valid_host: request.host.clone(),
                            original_request: Some(request),
                            message_response: Some(message_response),
                        };
                        if tx.send(Ok(response)).await.is_err() {
                            return;
                        }
                    }
                });
                Ok(Response::new(stream))
            }
        }
    };
}

/// A stream fed by a task: `body` gets the sending half of a small channel.
fn async_stream_like<T, F, Fut>(body: F) -> futures::stream::BoxStream<'static, T>
where
    T: Send + 'static,
    F: FnOnce(tokio::sync::mpsc::Sender<T>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(body(tx));
    Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx))
}

pub mod v1 {
    use super::*;
    reflection_service!(V1, v1);
}

pub mod v1alpha {
    use super::*;
    reflection_service!(V1Alpha, v1alpha);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        Index::new(
            &[eiso_proto::FILE_DESCRIPTOR_SET, tonic_health::pb::FILE_DESCRIPTOR_SET],
            &["eiso.documents.v1.DocumentService"],
        )
        .expect("descriptor sets decode")
    }

    fn names(files: &[Vec<u8>]) -> Vec<String> {
        files
            .iter()
            .map(|raw| {
                FileDescriptorProto::decode(raw.as_slice())
                    .expect("file")
                    .name()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_symbol_comes_with_its_transitive_dependencies_once_per_stream() {
        let index = index();
        let mut sent = HashSet::new();
        let files = names(
            &index
                .file_containing_symbol("eiso.documents.v1.DocumentService", &mut sent)
                .expect("found"),
        );
        assert!(files[0].ends_with("documents.proto"), "{files:?}");
        assert!(
            files.iter().any(|f| f == "google/protobuf/timestamp.proto"),
            "{files:?}"
        );
        // Every import of every file sent is itself sent.
        for raw in index
            .file_containing_symbol("eiso.documents.v1.DocumentService", &mut HashSet::new())
            .expect("found")
        {
            let file = FileDescriptorProto::decode(raw.as_slice()).expect("file");
            for dependency in &file.dependency {
                assert!(files.contains(dependency), "{dependency} missing from {files:?}");
            }
        }
        // Asked again on the same stream: the file alone.
        let again = names(
            &index
                .file_containing_symbol(".eiso.documents.v1.Document", &mut sent)
                .expect("found"),
        );
        assert_eq!(again.len(), 1, "{again:?}");
        assert!(index.file_containing_symbol("no.Such", &mut sent).is_err());
    }
}
