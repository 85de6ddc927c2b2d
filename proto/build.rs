//! Compiles `proto/eiso/**/*.proto` with a vendored `protoc`, so that a fresh
//! machine needs no system install, and emits the descriptor set that server
//! reflection and the authorisation-table test read.

use std::path::{Path, PathBuf};

fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let mut protos = Vec::new();
    collect_protos(&root.join("eiso"), &mut protos)?;
    protos.sort();
    // tonic-prost-build does not print these itself.
    println!("cargo:rerun-if-changed=eiso");
    for proto in &protos {
        println!("cargo:rerun-if-changed={}", proto.display());
    }

    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    config.include_file("eiso.rs");
    // `prost::Name` for every message: events carry resources as `Any`.
    config.enable_type_names();
    config.type_name_domain(["."], "type.googleapis.com");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("eiso_descriptor.bin"))
        .compile_with_config(config, &protos, &[root])?;
    Ok(())
}
