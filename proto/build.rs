//! Compiles `proto/eiso/**/*.proto` with a vendored `protoc`, so that a fresh
//! machine needs no system install, and emits the descriptor set that server
//! reflection and the authorisation-table test read. From that set it also
//! writes `eiso_enums.rs`: `labels::ProtoEnum` for every generated enum, so
//! that code can name any of them generically.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use prost::Message as _;
use prost_types::{DescriptorProto, FileDescriptorSet};

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

    let set = FileDescriptorSet::decode(std::fs::read(out_dir.join("eiso_descriptor.bin"))?.as_slice())?;
    std::fs::write(out_dir.join("eiso_enums.rs"), enum_impls(&set))?;
    Ok(())
}

/// `impl ProtoEnum for …` for every enum of `set`, at the path prost gives it:
/// the package as modules, then each enclosing message as a snake_case module.
fn enum_impls(set: &FileDescriptorSet) -> String {
    let mut out = String::new();
    for file in &set.file {
        let module = format!("crate::{}", file.package().replace('.', "::"));
        for name in file.enum_type.iter().map(|e| e.name()) {
            enum_impl(&mut out, &module, name);
        }
        for message in &file.message_type {
            message_enum_impls(&mut out, &module, message);
        }
    }
    out
}

fn message_enum_impls(out: &mut String, parent: &str, message: &DescriptorProto) {
    let module = format!("{parent}::{}", snake_case(message.name()));
    for name in message.enum_type.iter().map(|e| e.name()) {
        enum_impl(out, &module, name);
    }
    for nested in &message.nested_type {
        message_enum_impls(out, &module, nested);
    }
}

fn enum_impl(out: &mut String, module: &str, name: &str) {
    let _ = writeln!(
        out,
        "impl ProtoEnum for {module}::{name} {{\n    \
         fn as_str_name(&self) -> &'static str {{\n        Self::as_str_name(self)\n    }}\n    \
         fn from_str_name(name: &str) -> Option<Self> {{\n        Self::from_str_name(name)\n    }}\n}}"
    );
}

/// `ProcedureVersion` → `procedure_version`, as prost names a message's module.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}
