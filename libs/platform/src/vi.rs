//! Numbers as Vietnamese write them, with a comma for the decimal mark
//! (`92,5`, `96,2%`): the one formatter behind the printed reports and
//! review packs, the workbooks and the web app's pages.

/// Which trailing zeros a number keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zeros {
    /// Every decimal place: `96,0`.
    Kept,
    /// Trailing zeros dropped, and the comma with them: `96`, `92,5`.
    Dropped,
}

/// `value` with `places` decimals and a comma for the decimal mark.
///
/// It rounds as `format!` does (the exact binary value, ties to even); a
/// caller that rounds half away from zero, as people do, rounds first:
/// `decimal((fraction * 1000.0).round() / 10.0, 1, Zeros::Kept)`.
pub fn decimal(value: f64, places: usize, zeros: Zeros) -> String {
    let text = format!("{value:.places$}");
    let text = match zeros {
        Zeros::Dropped if text.contains('.') => text.trim_end_matches('0').trim_end_matches('.'),
        _ => &text,
    };
    text.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_in_vietnamese() {
        assert_eq!(decimal(95.0, 2, Zeros::Dropped), "95");
        assert_eq!(decimal(92.5, 2, Zeros::Dropped), "92,5");
        assert_eq!(decimal(99.25, 2, Zeros::Dropped), "99,25");
        assert_eq!(decimal(33.333, 2, Zeros::Dropped), "33,33");
        assert_eq!(decimal(0.0, 2, Zeros::Dropped), "0");
        assert_eq!(decimal(100.0, 0, Zeros::Dropped), "100");
        assert_eq!(decimal(96.0, 1, Zeros::Kept), "96,0");
        assert_eq!(decimal(96.25, 1, Zeros::Kept), "96,2");
        assert_eq!(decimal((0.9625 * 1000.0_f64).round() / 10.0, 1, Zeros::Kept), "96,3");
        assert_eq!(decimal(f64::NAN, 2, Zeros::Dropped), "NaN");
    }
}
