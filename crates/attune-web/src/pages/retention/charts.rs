//! The survival curve and the cohort heat map of the retention page, laid out as SVG
//! coordinates; the template writes every label.

use attune_retention::calendar::format_day;
use attune_retention::{CiKind, KaplanMeier, Median, TimeUnit};

use super::*;
use crate::i18n::{Msg, Tr};
use attune_app::retention::Report;
use fluent_bundle::FluentValue;

pub(super) fn curve(t: &Tr, report: &Report) -> Option<Curve> {
    let lifetimes = report.ledger.lifetimes(TimeUnit::Month);
    let km = KaplanMeier::from_lifetimes(&lifetimes);
    let horizon = lifetimes.iter().map(|l| l.duration).fold(0.0, f64::max);
    if km.n == 0 {
        return None;
    }
    let (left, right, top, bottom) = (48.0, 700.0, 12.0, 240.0);
    let t_max = horizon.max(1.0);
    let x = |t: f64| left + t / t_max * (right - left);
    let y = |s: f64| bottom - s * (bottom - top);
    let mut line = vec![format!("{:.1},{:.1}", x(0.0), y(1.0))];
    let mut upper = vec![format!("{:.1},{:.1}", x(0.0), y(1.0))];
    let mut lower = vec![format!("{:.1},{:.1}", x(0.0), y(1.0))];
    let mut level = 1.0;
    let (mut hi_level, mut lo_level) = (1.0, 1.0);
    for s in &km.steps {
        let xs = x(s.time);
        line.push(format!("{xs:.1},{:.1}", y(level)));
        line.push(format!("{xs:.1},{:.1}", y(s.survival)));
        let (lo, hi) = s
            .interval(CiKind::Log, attune_domain::metrics::Z95)
            .unwrap_or((s.survival, s.survival));
        upper.push(format!("{xs:.1},{:.1}", y(hi_level)));
        upper.push(format!("{xs:.1},{:.1}", y(hi)));
        lower.push(format!("{xs:.1},{:.1}", y(lo_level)));
        lower.push(format!("{xs:.1},{:.1}", y(lo)));
        level = s.survival;
        hi_level = hi;
        lo_level = lo;
    }
    line.push(format!("{:.1},{:.1}", x(t_max), y(level)));
    upper.push(format!("{:.1},{:.1}", x(t_max), y(hi_level)));
    lower.push(format!("{:.1},{:.1}", x(t_max), y(lo_level)));
    lower.reverse();
    upper.extend(lower);
    let step = (t_max / 6.0).ceil().max(1.0);
    let x_ticks = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= t_max)
        .map(|t| (x(t), format!("{t:.0}")))
        .collect();
    let y_ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|s| (y(*s), format!("{:.0}%", s * 100.0)))
        .collect();
    Some(Curve {
        line: line.join(" "),
        band: upper.join(" "),
        x_ticks,
        y_ticks,
        text: survival_text(
            t,
            km.n,
            lifetimes.iter().filter(|l| l.churned).count(),
            km.median(),
            km.restricted_mean(horizon),
            t_max,
        ),
    })
}

/// The paragraph above the survival curve.
pub(super) fn survival_text(
    t: &Tr,
    n: u64,
    ended: usize,
    median: Median,
    mean: f64,
    horizon: f64,
) -> String {
    let median = match median {
        Median::At(m) => t.args(Msg::RetentionMonths, [("count", whole(m))]),
        Median::NotReached => t.get(Msg::RetentionMedianNotReached),
    };
    let mean = t.args(
        Msg::RetentionMean,
        [
            ("mean", format!("{mean:.1}").into()),
            ("horizon", format!("{horizon:.0}").into()),
        ],
    );
    t.args(
        Msg::RetentionSurvivalText,
        [
            ("count", n.into()),
            ("ended", ended.into()),
            ("median", median.into()),
            ("mean", mean.into()),
        ],
    )
}

/// The tooltip of a heat map cell.
pub(super) fn cell_title(
    t: &Tr,
    month: String,
    size: FluentValue<'static>,
    k: usize,
    share: f64,
    active: FluentValue<'static>,
) -> String {
    t.args(
        Msg::RetentionCell,
        [
            ("month", month.into()),
            ("size", size),
            ("k", k.into()),
            ("share", format!("{:.1}", share * 100.0).into()),
            ("active", active),
        ],
    )
}

pub(super) fn heat(t: &Tr, report: &Report) -> Option<Heat> {
    let query = report.spec.query();
    let table = report.ledger.cohorts(&report.grid);
    // The last 24 cohorts at most, so the map stays readable.
    let rows: Vec<_> = table.rows.iter().filter(|r| r.size > 0).collect();
    let rows = &rows[rows.len().saturating_sub(24)..];
    if rows.is_empty() {
        return None;
    }
    let k_max = rows
        .iter()
        .map(|r| r.share.len())
        .max()
        .unwrap_or(0)
        .min(24);
    let (cw, ch, left, top) = (30.0, 20.0, 110.0, 22.0);
    let mut cells = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        for (k, share) in r.share.iter().take(k_max).enumerate() {
            let Some(share) = share else { continue };
            cells.push(Cell {
                href: format!(
                    "/retention/members?{query}&which=cohort&period_start={}&k={k}",
                    format_day(r.cohort.start)
                ),
                x: left + k as f64 * cw,
                y: top + i as f64 * ch,
                opacity: format!("{:.2}", 0.08 + 0.92 * share),
                text: format!("{:.0}", share * 100.0),
                title: cell_title(
                    t,
                    month_label(r.cohort.start),
                    r.size.into(),
                    k,
                    *share,
                    r.active.get(k).copied().flatten().unwrap_or(0).into(),
                ),
                dark: *share > 0.55,
            });
        }
    }
    Some(Heat {
        width: left + k_max as f64 * cw + 8.0,
        height: top + rows.len() as f64 * ch + 8.0,
        cells,
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    top + i as f64 * ch + 14.0,
                    format!("{} · {}", month_label(r.cohort.start), r.size),
                )
            })
            .collect(),
        cols: (0..k_max)
            .map(|k| (left + k as f64 * cw + cw / 2.0, k.to_string()))
            .collect(),
    })
}
