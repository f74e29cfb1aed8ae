//! The NPS trend as server-rendered SVG: coordinates are computed here, the markup is in the
//! template (so every label is escaped).

use attune_app::metrics::output::{Bucket, MetricValue};

use crate::i18n::{Msg, Tr};

/// One month on the chart.
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub short: String,
    pub value: String,
    pub lo: String,
    pub hi: String,
    pub n: u64,
    /// The point's tooltip.
    pub title: String,
    /// `n=…` under the month.
    pub n_label: String,
}

/// A horizontal grid line.
pub(crate) struct Gridline {
    pub y: f64,
    pub text_y: f64,
    pub label: i32,
}

/// Everything the template draws.
pub(crate) struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    /// Where the y-axis labels end.
    pub label_x: f64,
    /// Baselines of the month and n labels.
    pub month_y: f64,
    pub n_y: f64,
    pub points: Vec<Point>,
    pub gridlines: Vec<Gridline>,
    /// `x,y` pairs of the NPS line.
    pub line: String,
    /// `x,y` pairs of the confidence band polygon.
    pub band: String,
}

/// Lays out monthly NPS buckets; months without data are skipped
/// on the line but keep their place on the axis.
pub(crate) fn nps_chart(t: &Tr, buckets: &[Bucket]) -> Chart {
    let (width, height, left, right, top, bottom) = (720.0, 300.0, 44.0, 708.0, 12.0, 252.0);
    let y_of = |nps: f64| top + (100.0 - nps) / 200.0 * (bottom - top);
    let step = if buckets.len() > 1 {
        (right - left) / (buckets.len() - 1) as f64
    } else {
        0.0
    };
    let mut points = Vec::new();
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    for (i, b) in buckets.iter().enumerate() {
        let x = if buckets.len() > 1 {
            left + step * i as f64
        } else {
            (left + right) / 2.0
        };
        let MetricValue::Nps(v) = &b.value else {
            continue;
        };
        let (Some(nps), Some([lo, hi])) = (v.nps, v.ci95) else {
            continue;
        };
        let start = b.start.clone().unwrap_or_default();
        upper.push(format!("{x:.1},{:.1}", y_of(hi)));
        lower.push(format!("{x:.1},{:.1}", y_of(lo)));
        let label = start.get(..7).unwrap_or(&start).to_owned();
        let (value, lo, hi) = (format!("{nps:.1}"), format!("{lo:.1}"), format!("{hi:.1}"));
        points.push(Point {
            x,
            y: y_of(nps),
            short: start.get(2..7).unwrap_or(&start).to_owned(),
            title: t.args(
                Msg::DashboardPoint,
                [
                    ("month", label.clone().into()),
                    ("nps", value.clone().into()),
                    ("lo", lo.clone().into()),
                    ("hi", hi.clone().into()),
                    ("n", v.n.into()),
                ],
            ),
            n_label: t.args(Msg::DashboardPointN, [("n", v.n.into())]),
            label,
            value,
            lo,
            hi,
            n: v.n,
        });
    }
    lower.reverse();
    let line = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    let mut band = upper;
    band.extend(lower);
    Chart {
        width,
        height,
        left,
        right,
        label_x: left - 6.0,
        month_y: height - 22.0,
        n_y: height - 8.0,
        gridlines: [-100, -50, 0, 50, 100]
            .into_iter()
            .map(|v| Gridline {
                y: y_of(f64::from(v)),
                text_y: y_of(f64::from(v)) + 4.0,
                label: v,
            })
            .collect(),
        points,
        line,
        band: band.join(" "),
    }
}
