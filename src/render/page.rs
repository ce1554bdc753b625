//! What one page is made of before it is rendered: the [`Job`] (which page), and its
//! [`PageSpec`] — path, template, kind, side-navigation topic, current unit, breadcrumbs, and
//! its own template keys ([`PageKeys`]). A topic's print page (every unit of the topic, its
//! headings moved one level down) is made here too.

use std::borrow::Cow;

use serde::Serialize;
use tera::Context;

use crate::markdown::prefix_ids;
use crate::model::{Site, Topic, Unit};
use crate::view::{self, FeaturePage, PageContext};

/// One page to render.
pub enum Job<'a> {
    Home,
    NotFound,
    Topic(&'a Topic),
    Unit(&'a Unit),
    Feature(&'a FeaturePage),
    /// A topic's print page, by topic index (its keys are made when it is rendered).
    Print(usize),
}

/// Every page of `site`, print pages first: they are the largest (a whole topic each) and are
/// made one at a time, so the other threads render units meanwhile instead of a second one.
pub fn jobs<'a>(site: &'a Site, features: &'a [FeaturePage]) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job> = (0..site.topics.len())
        .filter(|&ti| !site.topics[ti].units.is_empty())
        .map(Job::Print)
        .collect();
    jobs.extend([Job::Home, Job::NotFound]);
    jobs.extend(site.topics.iter().map(Job::Topic));
    jobs.extend(site.units.iter().map(Job::Unit));
    jobs.extend(features.iter().map(Job::Feature));
    jobs
}

/// What the render of a page needs besides what every page shares.
pub struct PageSpec<'a> {
    /// Path from the site root, e.g. `01-xuexi/yuanwen.html`.
    pub path: &'a str,
    pub template: &'a str,
    /// The value of `page_kind`.
    pub kind: &'a str,
    /// The topic whose units the side navigation shows.
    pub topic: Option<usize>,
    /// The page's own unit (marked in the side navigation).
    pub current: Option<usize>,
    pub breadcrumbs: Vec<view::Link<'a>>,
    pub keys: PageKeys<'a>,
}

impl<'a> PageSpec<'a> {
    /// The spec of `job`; `print_path` is the path of the print page, for [`Job::Print`].
    pub fn of(site: &'a Site, job: &Job<'a>, print_path: impl FnOnce(usize) -> &'a str) -> Self {
        match job {
            Job::Home => PageSpec {
                path: "index.html",
                template: "index.html",
                kind: "index",
                topic: None,
                current: None,
                breadcrumbs: vec![],
                keys: PageKeys::Home(view::home_view(site)),
            },
            Job::NotFound => PageSpec {
                path: "404.html",
                template: "404.html",
                kind: "404",
                topic: None,
                current: None,
                breadcrumbs: vec![],
                keys: PageKeys::NotFound,
            },
            Job::Topic(t) => PageSpec {
                path: &t.path,
                template: "topic.html",
                kind: "topic",
                topic: site.topics.iter().position(|x| std::ptr::eq(x, *t)),
                current: None,
                breadcrumbs: vec![],
                keys: PageKeys::Topic(view::topic_view(site, t, true)),
            },
            Job::Unit(u) => unit_spec(site, u),
            Job::Feature(p) => feature_spec(p),
            Job::Print(ti) => topic_print_spec(site, *ti, print_path(*ti)),
        }
    }
}

fn unit_spec<'a>(site: &'a Site, u: &'a Unit) -> PageSpec<'a> {
    let link = |x: &'a Unit| view::Link {
        title: &x.title,
        path: &x.path,
    };
    let t = &site.topics[u.topic];
    PageSpec {
        path: &u.path,
        template: "unit.html",
        kind: "unit",
        topic: Some(u.topic),
        current: Some(u.index),
        breadcrumbs: vec![view::Link {
            title: &t.title,
            path: &t.path,
        }],
        keys: PageKeys::Unit {
            unit: view::unit_view(site, u),
            prev: site.prev_unit(u).map(link),
            next: site.next_unit(u).map(link),
            quiz_json: u.quiz.as_ref().map(|_| crate::quiz::embed_json(site, u)),
        },
    }
}

fn feature_spec(p: &FeaturePage) -> PageSpec<'_> {
    PageSpec {
        path: &p.path,
        template: p.template,
        kind: p.kind,
        topic: p.topic,
        current: None,
        breadcrumbs: p
            .breadcrumbs
            .iter()
            .map(|(t, h)| view::Link { title: t, path: h })
            .collect(),
        keys: PageKeys::Feature(&p.context),
    }
}

/// One unit in a topic's print view (`<topic>/print.html`).
#[derive(Debug, Clone, Serialize)]
pub struct PrintUnit<'a> {
    title: &'a str,
    kind: &'static str,
    minutes: u32,
    minutes_estimated: bool,
    source: Option<&'a str>,
    /// The unit's body; in the template, with its headings one level down (the unit title is
    /// the `h2`): see [`PageKeys::add_to`].
    html: view::BodyHtml<'a>,
}

/// The "print the whole topic" page: every unit of a topic, in order, on one page. The units'
/// headings are moved down only when the page is rendered, inside the parallel render, so the
/// demoted copies of the units' HTML are never all in memory at once.
fn topic_print_spec<'a>(site: &'a Site, ti: usize, path: &'a str) -> PageSpec<'a> {
    let t = &site.topics[ti];
    let units = site.units[t.units.clone()]
        .iter()
        .map(|u| PrintUnit {
            title: &u.title,
            kind: u.kind.as_str(),
            minutes: u.minutes,
            minutes_estimated: u.minutes_estimated,
            source: u.source_ref.as_deref(),
            html: view::BodyHtml::of(&u.body),
        })
        .collect();
    PageSpec {
        path,
        template: "topic_print.html",
        kind: "topic_print",
        topic: Some(ti),
        current: None,
        breadcrumbs: vec![view::Link {
            title: &t.title,
            path: &t.path,
        }],
        keys: PageKeys::Print {
            // With its introduction, printed before the first unit.
            topic: view::topic_view(site, t, true),
            print_units: units,
        },
    }
}

/// Moves every heading of rendered HTML one level down (`h2` → `h3` …, `h6` stays).
/// One pass over the text (a topic's print page demotes every unit of the topic).
pub fn demote_headings(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 16);
    let (mut last, mut i) = (0, 0);
    while let Some(off) = html[i..].find('<') {
        let lt = i + off;
        i = lt + 1;
        let (digit, closing) = match (b.get(lt + 1), b.get(lt + 2)) {
            (Some(b'h'), _) => (lt + 2, false),
            (Some(b'/'), Some(b'h')) => (lt + 3, true),
            _ => continue,
        };
        match b.get(digit) {
            Some(d @ b'1'..=b'5') if !closing || b.get(digit + 1) == Some(&b'>') => {
                out.push_str(&html[last..digit]);
                out.push(char::from(d + 1));
                last = digit + 1;
                i = last;
            }
            _ => {}
        }
    }
    out.push_str(&html[last..]);
    out
}

/// A page's own template keys, as views. With [`view::SharedKeys`], [`view::Common`] and the
/// side navigation's units they are all a template sees, so their hash (with the theme's) names
/// the page's bytes: see [`super::page_cache`].
#[derive(Serialize)]
pub enum PageKeys<'a> {
    Home(view::HomeView<'a>),
    NotFound,
    Topic(view::TopicView<'a>),
    Unit {
        unit: view::UnitView<'a>,
        prev: Option<view::Link<'a>>,
        next: Option<view::Link<'a>>,
        quiz_json: Option<String>,
    },
    Feature(&'a PageContext),
    Print {
        topic: view::TopicView<'a>,
        print_units: Vec<PrintUnit<'a>>,
    },
}

impl PageKeys<'_> {
    /// About how many bytes the page will be, so its buffer is allocated once (a topic's
    /// print page of a large topic is megabytes; doubling up to it would hold 1.5× that).
    pub fn size_hint(&self) -> usize {
        let body = match self {
            PageKeys::Print { print_units, .. } => print_units.iter().map(|u| u.html.len()).sum(),
            PageKeys::Unit { unit, .. } => unit.html.len(),
            _ => 0,
        };
        body + 32 * 1024
    }

    pub fn is_print(&self) -> bool {
        matches!(self, PageKeys::Print { .. })
    }

    pub fn add_to(&self, ctx: &mut Context) {
        match self {
            PageKeys::Home(home) => ctx.insert("home", home),
            PageKeys::NotFound => {}
            PageKeys::Topic(topic) => ctx.insert("topic", topic),
            PageKeys::Unit {
                unit,
                prev,
                next,
                quiz_json,
            } => {
                ctx.insert("unit", unit);
                ctx.insert("prev", prev);
                ctx.insert("next", next);
                if let Some(q) = quiz_json {
                    ctx.insert("quiz_json", q);
                }
            }
            PageKeys::Feature(own) => own.add_to(ctx),
            PageKeys::Print { topic, print_units } => {
                ctx.insert("topic", topic);
                // One unit at a time: each demoted copy is dropped once it is a template value.
                // Each unit's ids get the prefix `u<n>-` (and its in-page links with them), so
                // no id occurs twice on the page.
                let units: Vec<tera::Value> = print_units
                    .iter()
                    .enumerate()
                    .map(|(i, u)| {
                        let html = demote_headings(&u.html);
                        tera::Value::from_serializable(&PrintUnit {
                            html: view::BodyHtml {
                                html: Cow::Owned(prefix_ids(&html, &format!("u{}-", i + 1))),
                                source: None,
                            },
                            ..u.clone()
                        })
                    })
                    .collect();
                ctx.insert_value("print_units", units.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_view_moves_unit_headings_one_level_down() {
        assert_eq!(
            demote_headings("<h1>a</h1><h2 id=\"x\">b</h2><p>h2</p><h5>c</h5><h6>d</h6>"),
            "<h2>a</h2><h3 id=\"x\">b</h3><p>h2</p><h6>c</h6><h6>d</h6>"
        );
    }

    #[test]
    fn demote_headings_moves_every_heading_down_once() {
        let html = "<h1 id=\"a\">A</h1>\n<h2>B</h2><p>x<h<hr>&lt;h2&gt;</p><h5>E</h5><h6>F</h6>";
        assert_eq!(
            demote_headings(html),
            "<h2 id=\"a\">A</h2>\n<h3>B</h3><p>x<h<hr>&lt;h2&gt;</p><h6>E</h6><h6>F</h6>"
        );
    }
}
