//! Charts as SVG (plotters, SVG backend only): a radar of the latest assessment over the first, a line per
//! dimension over time, and bars of the network's mean change per dimension.

use plotters::coord::Shift;
use plotters::prelude::*;
use shared::error::ApiError;
use time::Date;

const WIDTH: u32 = 720;
const HEIGHT: u32 = 520;
const FIRST_COLOUR: RGBColor = RGBColor(150, 150, 150);
const LATEST_COLOUR: RGBColor = RGBColor(196, 30, 58);

fn failed<E: std::fmt::Debug>(error: E) -> ApiError {
    ApiError::Internal(format!("drawing a chart: {error:?}"))
}

/// Draws on a fresh white SVG canvas and returns the document.
fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ApiError>,
) -> Result<String, ApiError> {
    let mut document = String::new();
    {
        let root = SVGBackend::with_string(&mut document, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        draw(&root)?;
        root.present().map_err(failed)?;
    }
    Ok(document)
}

/// A radar of scores from 1 to 5, one spoke per dimension: the first assessment in grey under the latest.
pub fn radar(title: &str, dimensions: &[String], first: &[f64], latest: &[f64]) -> Result<String, ApiError> {
    svg(|root| {
        root.draw(&Text::new(
            title.to_string(),
            (20, 20),
            ("sans-serif", 20).into_font(),
        ))
        .map_err(failed)?;
        let (cx, cy, radius) = (f64::from(WIDTH) / 2.0, f64::from(HEIGHT) / 2.0 + 15.0, 180.0);
        let spokes = dimensions.len().max(3);
        let point = |spoke: usize, score: f64| {
            let angle = std::f64::consts::TAU * spoke as f64 / spokes as f64 - std::f64::consts::FRAC_PI_2;
            let r = radius * score / 5.0;
            (
                (cx + r * angle.cos()).round() as i32,
                (cy + r * angle.sin()).round() as i32,
            )
        };
        for level in 1..=5 {
            let mut ring: Vec<(i32, i32)> = (0..spokes).map(|s| point(s, f64::from(level))).collect();
            ring.push(ring[0]);
            root.draw(&PathElement::new(ring, RGBColor(220, 220, 220)))
                .map_err(failed)?;
        }
        for (spoke, name) in dimensions.iter().enumerate() {
            root.draw(&PathElement::new(
                vec![point(spoke, 0.0), point(spoke, 5.0)],
                RGBColor(200, 200, 200),
            ))
            .map_err(failed)?;
            let (x, y) = point(spoke, 5.6);
            let label: String = name.chars().take(28).collect();
            let x = x - (label.len() as i32 * 3).min(x - 5);
            root.draw(&Text::new(label, (x, y), ("sans-serif", 12).into_font()))
                .map_err(failed)?;
        }
        for (scores, colour, name, y) in [
            (first, FIRST_COLOUR, "first", 44),
            (latest, LATEST_COLOUR, "latest", 62),
        ] {
            if scores.is_empty() {
                continue;
            }
            let shape: Vec<(i32, i32)> = scores.iter().enumerate().map(|(s, &v)| point(s, v)).collect();
            root.draw(&Polygon::new(shape.clone(), colour.mix(0.2)))
                .map_err(failed)?;
            let mut outline = shape;
            outline.push(outline[0]);
            root.draw(&PathElement::new(outline, colour.stroke_width(2)))
                .map_err(failed)?;
            root.draw(&Rectangle::new([(20, y - 9), (32, y + 1)], colour.filled()))
                .map_err(failed)?;
            root.draw(&Text::new(name, (38, y - 10), ("sans-serif", 13).into_font()))
                .map_err(failed)?;
        }
        Ok(())
    })
}

/// One line per dimension: its score at each assessment over time.
pub fn lines(title: &str, series: &[(String, Vec<(Date, f64)>)]) -> Result<String, ApiError> {
    let days: Vec<i32> = series
        .iter()
        .flat_map(|(_, points)| points.iter().map(|(on, _)| on.to_julian_day()))
        .collect();
    let first = days.iter().copied().min().unwrap_or(0);
    let last = days.iter().copied().max().unwrap_or(0).max(first + 30);
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(30)
            .y_label_area_size(30)
            .build_cartesian_2d(f64::from(first)..f64::from(last), 0.5f64..5.5f64)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .y_labels(5)
            .x_labels(6)
            .x_label_formatter(&|day| {
                Date::from_julian_day(day.round() as i32)
                    .map(|d| format!("{}-{:02}", d.year(), u8::from(d.month())))
                    .unwrap_or_default()
            })
            .draw()
            .map_err(failed)?;
        for (i, (name, points)) in series.iter().enumerate() {
            let colour = Palette99::pick(i).to_rgba();
            let line = points
                .iter()
                .map(|(on, score)| (f64::from(on.to_julian_day()), *score));
            chart
                .draw_series(LineSeries::new(line, colour.stroke_width(2)))
                .map_err(failed)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(failed)?;
        Ok(())
    })
}

/// Bars of a value per label around zero (the network's mean change per dimension).
pub fn bars(title: &str, labels: &[String], values: &[f64]) -> Result<String, ApiError> {
    let low = values.iter().copied().fold(-1.0f64, f64::min);
    let high = values.iter().copied().fold(1.0f64, f64::max);
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(40)
            .build_cartesian_2d(-0.5f64..(labels.len() as f64 - 0.5).max(0.5), low..high)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .x_labels(labels.len().max(1))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 0.01 && i >= 0.0 {
                    labels
                        .get(i as usize)
                        .map(|l| l.chars().take(14).collect())
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(failed)?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, &v)| {
                let colour = if v >= 0.0 { LATEST_COLOUR } else { FIRST_COLOUR };
                Rectangle::new([(i as f64 - 0.35, 0.0), (i as f64 + 0.35, v)], colour.filled())
            }))
            .map_err(failed)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn charts_are_svg_documents_with_their_labels() {
        let dimensions = vec![
            "Governance & leadership".to_string(),
            "Finance".into(),
            "Voice".into(),
        ];
        let radar = radar("Coventry", &dimensions, &[1.0, 2.0, 3.0], &[3.0, 4.0, 5.0]).unwrap();
        assert!(radar.starts_with("<svg") && radar.contains("Governance &amp; leadership"));
        assert_eq!(radar.matches("<polygon").count(), 2);
        let series = vec![(
            "Finance".to_string(),
            vec![(date!(2025 - 01 - 01), 2.0), (date!(2026 - 01 - 01), 4.0)],
        )];
        let lines = lines("Over time", &series).unwrap();
        assert!(lines.contains("<polyline") && lines.contains("Finance"));
        let bars = bars("Change", &dimensions, &[0.5, -0.25, 1.0]).unwrap();
        assert!(bars.matches("<rect").count() >= 3);
    }
}
