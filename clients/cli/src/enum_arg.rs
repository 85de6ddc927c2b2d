//! Proto enums as people type them: one clap value parser, [`EnumArg`], for
//! every enum a flag takes, instead of a clap enum mirroring each proto enum.
//!
//! A value is typed as its proto name without the enum's prefix, in lower case
//! with `-` between words (`UNIT_KIND_SERVICE_CENTRE` is `service-centre`),
//! unless the command line gives it a shorter name of its own (`transfer` for
//! `DISPOSITION_TRANSFER_TO_ARCHIVE`). Which values a flag offers, in which
//! order, and the help line of each, is the enum's [`Choices`]. A value may
//! also have aliases, Vietnamese words people use for it (`thcs`, `mầm non`),
//! matched without regard to case or diacritics and listed in its help line.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use eiso_proto::labels::ProtoEnum;

use crate::names::fold;

/// A value people may type, with its help line.
pub struct Choice<E> {
    value: E,
    name: Option<&'static str>,
    help: &'static str,
    aliases: &'static [&'static str],
}

impl<E> Choice<E> {
    /// `value`, typed by its proto name.
    pub const fn new(value: E, help: &'static str) -> Self {
        Self {
            value,
            name: None,
            help,
            aliases: &[],
        }
    }

    /// `value`, typed as `name`.
    pub const fn named(value: E, name: &'static str, help: &'static str) -> Self {
        Self {
            value,
            name: Some(name),
            help,
            aliases: &[],
        }
    }

    /// `value`, typed by its proto name or as one of `aliases` (written as
    /// people write them, with diacritics; `--help` lists them so).
    pub const fn aliased(value: E, help: &'static str, aliases: &'static [&'static str]) -> Self {
        Self {
            value,
            name: None,
            help,
            aliases,
        }
    }
}

/// A proto enum that flags take.
pub trait Choices: ProtoEnum + PartialEq + Send + Sync {
    /// The values people may type, in the order `--help` lists them.
    const CHOICES: &'static [Choice<Self>];
}

/// How `value` is typed on the command line, and shown back in tables.
pub fn arg_name<E: Choices>(value: E) -> String {
    E::CHOICES
        .iter()
        .find(|choice| choice.value == value)
        .and_then(|choice| choice.name)
        .map_or_else(|| value.short_name().replace('_', "-"), str::to_string)
}

/// The value typed as `text`: its command-line name (in any case when
/// `ignore_case`), or one of its aliases in any case, with or without
/// diacritics.
pub fn parse<E: Choices>(text: &str, ignore_case: bool) -> Option<E> {
    if let Some(value) = choices::<E>().find(|value| possible_value(*value, "", &[]).matches(text, ignore_case)) {
        return Some(value);
    }
    let folded = fold(text);
    E::CHOICES
        .iter()
        .find(|choice| choice.aliases.iter().any(|alias| fold(alias) == folded))
        .map(|choice| choice.value)
}

/// The values people may type, in order.
pub fn choices<E: Choices>() -> impl Iterator<Item = E> {
    E::CHOICES.iter().map(|choice| choice.value)
}

/// The names people may type, in order, e.g. for an error message.
pub fn arg_names<E: Choices>() -> Vec<String> {
    choices::<E>().map(arg_name).collect()
}

/// A table cell for `value`: its command-line name; `unspecified` when unset,
/// `WHAT(N)` for a number this client does not know (a newer server's).
pub fn arg_cell<E: Choices>(value: i32, what: &str) -> String {
    E::of(value).map_or_else(|| format!("{what}({value})"), arg_name)
}

/// `value` as clap offers it: its name, and a help line that ends with its
/// aliases, if any.
fn possible_value<E: Choices>(value: E, help: &'static str, aliases: &[&str]) -> PossibleValue {
    let possible = PossibleValue::new(arg_name(value));
    match (help.is_empty(), aliases.is_empty()) {
        (true, true) => possible,
        (false, true) => possible.help(help),
        (_, false) => possible.help(format!("{help}; also: {}", aliases.join(", "))),
    }
}

/// The clap value parser of a flag that takes `E`:
/// `#[arg(long, value_parser = EnumArg::<UnitKind>::new())]`. It offers,
/// accepts and refuses values as a clap `ValueEnum` would.
#[derive(Clone)]
pub struct EnumArg<E>(PhantomData<fn() -> E>);

impl<E: Choices> EnumArg<E> {
    /// The parser.
    pub fn new() -> Self {
        Self(PhantomData)
    }

    fn values() -> PossibleValuesParser {
        E::CHOICES
            .iter()
            .map(|choice| possible_value(choice.value, choice.help, choice.aliases))
            .collect::<Vec<_>>()
            .into()
    }
}

impl<E: Choices> Default for EnumArg<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Choices> TypedValueParser for EnumArg<E> {
    type Value = E;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<E, clap::Error> {
        let ignore_case = arg.is_some_and(clap::Arg::is_ignore_case_set);
        if let Some(parsed) = value.to_str().and_then(|text| parse(text, ignore_case)) {
            return Ok(parsed);
        }
        // Not a name nor an alias: clap's own parser says so, listing the values.
        let text = Self::values().parse_ref(cmd, arg, value)?;
        parse(&text, ignore_case).ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let values: Vec<PossibleValue> = Self::values().possible_values()?.collect();
        Some(Box::new(values.into_iter()))
    }
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::documents::v1::Disposition;

    use super::*;

    #[test]
    fn names_come_from_the_proto_unless_the_command_line_shortens_them() {
        assert_eq!(arg_name(Disposition::Keep), "keep");
        assert_eq!(arg_name(Disposition::TransferToArchive), "transfer");
        assert_eq!(arg_name(Disposition::Destroy), "destroy");
        assert_eq!(
            arg_name(Disposition::Unspecified),
            "unspecified",
            "not offered, still named"
        );
        assert_eq!(arg_cell::<Disposition>(0, "disposition"), "unspecified");
        assert_eq!(arg_cell::<Disposition>(42, "disposition"), "disposition(42)");
        assert_eq!(arg_names::<Disposition>(), ["keep", "destroy", "transfer"]);
    }

    #[test]
    fn only_the_choices_are_accepted() {
        assert_eq!(parse("transfer", false), Some(Disposition::TransferToArchive));
        assert_eq!(parse::<Disposition>("transfer-to-archive", false), None);
        assert_eq!(parse::<Disposition>("unspecified", false), None);
        assert_eq!(parse::<Disposition>("KEEP", false), None);
        assert_eq!(parse("KEEP", true), Some(Disposition::Keep));
    }
}
