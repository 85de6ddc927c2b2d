//! Simple bar charts drawn on the server as SVG (no script, no styles: the
//! page's content security policy allows neither inline): each bar a share
//! from 0 to 1, labelled below, its value written above.

use eiso_platform::templates::escape_html;

/// One bar: its label and its share (`None`: nothing to show that month).
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
}

const TOP: f64 = 24.0;
const BOTTOM: f64 = 28.0;

/// The chart's SVG markup, with `title` as its accessible name: a page's
/// width (720 units wide, drawn at about that size).
pub fn bars(title: &str, bars: &[Bar]) -> String {
    sized(title, bars, 720.0, 220.0)
}

/// A chart for a card a third of the page wide (360 units, drawn at about
/// that size, so that its 12-unit labels stay readable).
pub fn small_bars(title: &str, bars: &[Bar]) -> String {
    sized(title, bars, 360.0, 150.0)
}

fn sized(title: &str, bars: &[Bar], width: f64, height: f64) -> String {
    let n = bars.len().max(1) as f64;
    let slot = width / n;
    let bar_width = (slot * 0.6).min(48.0);
    let plot = height - TOP - BOTTOM;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape_html(title)
    );
    svg.push_str(&format!(
        "<line x1=\"0\" y1=\"{y}\" x2=\"{width}\" y2=\"{y}\" stroke=\"#b1b4b6\" stroke-width=\"1\"/>",
        y = height - BOTTOM
    ));
    for (i, bar) in bars.iter().enumerate() {
        let centre = slot * (i as f64 + 0.5);
        if let Some(value) = bar.value {
            let value = value.clamp(0.0, 1.0);
            let height = plot * value;
            let y = height - BOTTOM - height;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_width:.1}\" height=\"{height:.1}\" fill=\"#0b4f8a\"/>",
                x = centre - bar_width / 2.0
            ));
            svg.push_str(&format!(
                "<text x=\"{centre:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#0b0c0c\">{}%</text>",
                (value * 100.0).round(),
                ty = y - 6.0
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{centre:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#505a5f\">{}</text>",
            escape_html(&bar.label),
            ly = height - 8.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_per_value_labelled_and_escaped() {
        let svg = bars(
            "Tỷ lệ <đúng hạn>",
            &[
                Bar {
                    label: "T1".into(),
                    value: Some(0.955),
                },
                Bar {
                    label: "T2".into(),
                    value: None,
                },
            ],
        );
        assert!(svg.contains("aria-label=\"Tỷ lệ &lt;đúng hạn&gt;\""));
        assert_eq!(svg.matches("<rect").count(), 1);
        assert!(svg.contains(">96%</text>"));
        assert!(svg.contains(">T2</text>"));
    }
}
