//! A tonic server with the health and reflection services behind
//! `ConnectLayer`, for trying Connect clients by hand:
//!
//! ```text
//! cargo run -p eiso-connect --example health_server -- 127.0.0.1:50999
//! npx buf curl --http2-prior-knowledge --list-services http://127.0.0.1:50999
//! npx buf curl --http2-prior-knowledge -d '{"service":""}' \
//!     http://127.0.0.1:50999/grpc.health.v1.Health/Check
//! ```

use std::net::SocketAddr;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .as_deref()
        .unwrap_or("127.0.0.1:50999")
        .parse()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let (_reporter, health) = tonic_health::server::health_reporter();
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()?;
        println!("listening on {addr} (gRPC, gRPC-Web and Connect)");
        tonic::transport::Server::builder()
            .accept_http1(true)
            .layer(eiso_connect::ConnectLayer::new())
            .layer(tonic_web::GrpcWebLayer::new())
            .add_service(health)
            .add_service(reflection)
            .serve_with_shutdown(addr, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}
