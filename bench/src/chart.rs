//! The chart: the headline figure (ops/s, MB/s, allocs/op) per case per client, as SVG.
//!
//! The cases span very different scales (the parser in thousands of MB/s or tens of
//! millions of replies/s, the network cases in tens or hundreds of thousands of GETs/s),
//! so one shared axis would flatten most of them: the chart is a grid of small panels,
//! one per case, each a horizontal bar chart on its own scale with one bar per client
//! (the median over the rounds, a whisker for the lowest..highest round, the median
//! written at the end). ferrodis's contenders are in warm colours, the peers in cool
//! ones, and a client keeps its colour across panels. The figures are
//! [`crate::report::summarize`]'s, the ones the report shows.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::harness::Results;
use crate::report::{self, CaseSummary};

/// The chart's width in pixels.
const WIDTH: u32 = 1200;
/// The height of the title above the panels.
const HEADER: u32 = 78;
/// The font every text uses (SVG: the viewer picks a matching one).
const FONT: &str = "sans-serif";
/// Colours for ferrodis's contenders, in order of first appearance.
const OURS: [RGBColor; 4] = [
    RGBColor(214, 84, 32),
    RGBColor(236, 150, 52),
    RGBColor(168, 52, 40),
    RGBColor(240, 190, 90),
];
/// Colours for the peers, in order of first appearance.
const PEERS: [RGBColor; 6] = [
    RGBColor(58, 110, 180),
    RGBColor(84, 160, 96),
    RGBColor(136, 98, 180),
    RGBColor(110, 110, 110),
    RGBColor(48, 164, 176),
    RGBColor(170, 140, 60),
];
/// The dark grey of the texts.
const INK: RGBColor = RGBColor(40, 40, 40);
/// The light grey of the grid lines.
const GRID: RGBColor = RGBColor(225, 225, 225);

/// Writes the chart of `results` to `path`.
pub(crate) fn write_svg(path: &Path, results: &Results) -> Result<(), String> {
    let svg = render(results)?;
    std::fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The chart of `results`, as an SVG document.
pub(crate) fn render(results: &Results) -> Result<String, String> {
    let mut summaries = report::summarize(results);
    // The report's order: by group, then as run.
    summaries.sort_by_key(|s| s.case.group);
    let columns: u32 = if summaries.len() > 1 { 2 } else { 1 };
    let rows = (summaries.len() as u32).div_ceil(columns).max(1);
    let most_clients = summaries
        .iter()
        .map(|s| s.clients.len())
        .max()
        .unwrap_or(1)
        .max(1) as u32;
    let panel_height = (72 + 34 * most_clients).max(220);
    let height = HEADER + rows * panel_height + 8;
    let colours = Colours::new(&summaries);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let draw_err = |e: DrawingAreaErrorKind<_>| format!("cannot draw the chart: {e}");
        root.fill(&WHITE).map_err(draw_err)?;
        let (header, body) = root.split_vertically(HEADER);
        draw_header(&header, results).map_err(draw_err)?;
        let panels = body.split_evenly((rows as usize, columns as usize));
        for (summary, area) in summaries.iter().zip(panels.iter()) {
            draw_panel(area, summary, &colours).map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// A text style: `size` in plotters' units (the SVG font size is `size / 1.24`).
fn text_style(size: u32, colour: &'static RGBColor, h: HPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(colour)
        .pos(Pos::new(h, VPos::Center))
}

/// A bold text style.
fn bold_style(size: u32, colour: &'static RGBColor, h: HPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font().style(FontStyle::Bold))
        .color(colour)
        .pos(Pos::new(h, VPos::Center))
}

/// The width of `chars` characters of a text of `size`, roughly (SVG has no metrics).
fn text_width(chars: usize, size: u32) -> i32 {
    (chars as f64 * f64::from(size) / 1.24 * 0.56).ceil() as i32
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// The title of the whole chart and the machine line.
fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    results: &Results,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let title = format!(
        "ferrodis side by side: medians over {} rounds ({} mode)",
        results.rounds,
        results.mode.name()
    );
    area.draw(&Text::new(
        title,
        (20, 22),
        bold_style(24, &INK, HPos::Left),
    ))?;
    let max = ((WIDTH as i32 - 40) / text_width(1, 16)).max(20) as usize;
    area.draw(&Text::new(
        shorten(results.machine.trim(), max),
        (20, 46),
        text_style(16, &INK, HPos::Left),
    ))?;
    area.draw(&Text::new(
        "Each panel has its own scale. Bar: median; whisker: lowest..highest round. \
         Higher is better unless the caption says fewer. Warm colours: ferrodis; cool: \
         its peers.",
        (20, 66),
        text_style(14, &RGBColor(100, 100, 100), HPos::Left),
    ))?;
    Ok(())
}

/// One colour per client name, the same in every panel.
struct Colours {
    /// The clients in order of first appearance, with their colours.
    assigned: Vec<(String, RGBColor)>,
}

impl Colours {
    /// Assigns the colours: ferrodis's contenders from [`OURS`], the peers from
    /// [`PEERS`], each in order of first appearance (cycling when there are more).
    fn new(summaries: &[CaseSummary<'_>]) -> Colours {
        let mut assigned: Vec<(String, RGBColor)> = Vec::new();
        let (mut ours, mut peers) = (0, 0);
        for summary in summaries {
            for client in &summary.clients {
                if assigned.iter().any(|(name, _)| *name == client.client) {
                    continue;
                }
                let colour = if client.is_ferrodis() {
                    ours += 1;
                    OURS[(ours - 1) % OURS.len()]
                } else {
                    peers += 1;
                    PEERS[(peers - 1) % PEERS.len()]
                };
                assigned.push((client.client.clone(), colour));
            }
        }
        Colours { assigned }
    }

    /// The colour of `client`.
    fn of(&self, client: &str) -> RGBColor {
        self.assigned
            .iter()
            .find(|(name, _)| name == client)
            .map_or(INK, |(_, c)| *c)
    }
}

/// A round upper bound for an axis showing values up to `max`, and its tick step: about
/// 4 ticks at 1, 2, 2.5 or 5 times a power of ten, with room after the largest bar for
/// its label.
fn axis(max: f64) -> (f64, f64) {
    let top = if max.is_finite() && max > 0.0 {
        max * 1.3
    } else {
        1.0
    };
    let raw = top / 4.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    ((top / step).ceil() * step, step)
}

/// One case's panel.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    summary: &CaseSummary<'_>,
    colours: &Colours,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let case = summary.case;
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let fewer = report::fewer_is_better(case, case.headline);
    let unit = report::unit_label(case, case.headline);
    let unit = if fewer {
        format!("{unit}, fewer is better")
    } else {
        unit
    };

    // The caption: the title, cut to fit, then the unit.
    let caption_size = 18;
    let room = ((w - 24) / text_width(1, caption_size)).max(10) as usize;
    let title_room = room.saturating_sub(unit.chars().count() + 3).max(12);
    let caption = format!("{} ({unit})", shorten(&case.title, title_room));
    area.draw(&Text::new(
        caption,
        (12, 18),
        bold_style(caption_size, &INK, HPos::Left),
    ))?;

    let label_size = 15;
    let longest = summary
        .clients
        .iter()
        .map(|c| c.client.chars().count())
        .max()
        .unwrap_or(4);
    let left = (text_width(longest, label_size) + 24).clamp(80, 220);
    let right = w - 40;
    let top = 38;
    let rows = summary.clients.len().max(1) as i32;
    // Rows of at most 44 pixels, so that bars look alike across panels.
    let row = ((h - 34 - top) / rows).min(44);
    let bottom = top + row * rows;
    let bar = (row * 62 / 100).clamp(6, 28);

    let spreads: Vec<Option<report::Spread>> = summary
        .clients
        .iter()
        .map(|c| c.spread(case.headline))
        .collect();
    let max = spreads
        .iter()
        .flatten()
        .map(|s| s.max.max(s.median))
        .fold(0.0, f64::max);
    let (x_max, step) = axis(max);
    let x = |v: f64| left + ((v / x_max) * f64::from(right - left)).round() as i32;

    // The grid and its labels.
    let mut tick = 0.0;
    while tick <= x_max * (1.0 + 1e-9) {
        let px = x(tick);
        area.draw(&PathElement::new(
            vec![(px, top - 4), (px, bottom)],
            GRID.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            report::fmt_num(tick),
            (px, bottom + 14),
            text_style(13, &RGBColor(110, 110, 110), HPos::Center),
        ))?;
        tick += step;
    }
    area.draw(&PathElement::new(
        vec![(left, top - 4), (left, bottom)],
        INK.stroke_width(1),
    ))?;

    for (i, (client, spread)) in summary.clients.iter().zip(&spreads).enumerate() {
        let centre = top + row * i as i32 + row / 2;
        area.draw(&Text::new(
            client.client.clone(),
            (left - 10, centre),
            if client.is_ferrodis() {
                bold_style(label_size, &INK, HPos::Right)
            } else {
                text_style(label_size, &INK, HPos::Right)
            },
        ))?;
        let Some(s) = spread else {
            let why = if client.figures.is_err() {
                "n/a (unavailable here)"
            } else {
                "n/a (no figure)"
            };
            area.draw(&Text::new(
                why,
                (left + 8, centre),
                text_style(14, &RGBColor(120, 120, 120), HPos::Left),
            ))?;
            continue;
        };
        let colour = colours.of(&client.client);
        let end = x(s.median).max(left + 1);
        area.draw(&Rectangle::new(
            [(left + 1, centre - bar / 2), (end, centre + bar / 2)],
            colour.filled(),
        ))?;
        let mut label_at = end;
        if s.rounds > 1 && s.max > s.min {
            let (lo, hi) = (x(s.min), x(s.max));
            let whisker = INK.stroke_width(1);
            area.draw(&PathElement::new(vec![(lo, centre), (hi, centre)], whisker))?;
            for px in [lo, hi] {
                area.draw(&PathElement::new(
                    vec![(px, centre - bar / 4), (px, centre + bar / 4)],
                    whisker,
                ))?;
            }
            label_at = label_at.max(hi);
        }
        area.draw(&Text::new(
            report::fmt_num(s.median),
            (label_at + 6, centre),
            text_style(label_size, &INK, HPos::Left),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{synthetic, temp_dir};

    #[test]
    fn the_svg_names_every_case_and_client() {
        let dir = temp_dir("chart");
        let path = dir.join("chart.svg");
        let results = synthetic();
        write_svg(&path, &results).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.trim_end().ends_with("</svg>"));
        for case in &results.cases {
            // The caption may be cut with an ellipsis; its first 20 characters are there.
            let start: String = case.title.chars().take(20).collect();
            assert!(svg.contains(&start), "no caption for {}", case.title);
            for client in &case.clients {
                assert!(svg.contains(client.as_str()), "no {client}");
            }
        }
        assert!(svg.contains("n/a (unavailable here)"));
        assert!(svg.contains("allocs/GET, fewer is better"));
        assert!(svg.contains("2 x Test CPU"));
        // The medians are written at the bars.
        assert!(svg.contains("1,250"));
        assert!(svg.contains("310,000"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn colours_stay_with_their_client() {
        let results = synthetic();
        let summaries = report::summarize(&results);
        let colours = Colours::new(&summaries);
        assert_eq!(colours.of("ferrodis"), OURS[0]);
        assert_eq!(colours.of("redis-rs"), PEERS[0]);
        assert_eq!(colours.of("hiredis"), PEERS[1]);
        assert_eq!(colours.of("ferrodis (async-std)"), OURS[1]);
        assert_eq!(colours.of("redis-benchmark"), PEERS[2]);
    }

    #[test]
    fn axes_are_round_and_leave_room() {
        assert_eq!(axis(1300.0), (2000.0, 500.0));
        assert_eq!(axis(320_000.0), (600_000.0, 200_000.0));
        assert_eq!(axis(9.0), (15.0, 5.0));
        let (top, step) = axis(0.0);
        assert!(top >= 1.0 && step > 0.0);
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
