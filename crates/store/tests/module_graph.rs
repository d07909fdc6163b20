//! The store's top-level modules import each other without a cycle: a module may use those
//! below it, never one that (directly or not) uses it back. Read from the sources: every
//! `crate::module` a file of `src/module.rs` or `src/module/…` names in code (not in comments)
//! is an edge `module → other`. The graph is drawn in the crate documentation (`src/lib.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The modules `lib.rs` declares (`mod x;`, `pub mod x;`).
fn declared(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("pub ").unwrap_or(l).strip_prefix("mod "))
        .filter_map(|l| l.strip_suffix(';'))
        .map(str::to_owned)
        .collect()
}

/// The code of a line, without its comment (a `//` outside quotes ends it).
fn code(line: &str) -> &str {
    let mut quoted = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            b'/' if !quoted && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The modules a source text names as `crate::x` or `use crate::{x, y::…}`.
fn uses(source: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    // Joined, so that a `use crate::{…}` over several lines reads as one.
    let text: String = source.lines().map(code).collect::<Vec<_>>().join(" ");
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
            // Top level of the group only: `{a, b::{c, d}}` names a and b.
            let mut depth = 0;
            let mut names = Vec::new();
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        names.push(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
            names
        } else {
            vec![ident(rest)]
        };
        found.extend(names.into_iter().filter(|n| modules.contains(n)));
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("an entry of src").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Who uses whom among the top-level modules of the crate at `src`.
fn graph(src: &Path) -> Graph {
    let modules = declared(&fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut graph: Graph = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let first = relative
            .components()
            .next()
            .expect("a path")
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        let Some(edges) = graph.get_mut(&module) else { continue }; // lib.rs itself
        let source = fs::read_to_string(&file).expect("a readable source");
        edges.extend(uses(&source, &modules).into_iter().filter(|m| *m != module));
    }
    graph
}

/// The cycles of `graph`: its strongly connected components of more than one module.
fn cycles(graph: &Graph) -> Vec<BTreeSet<String>> {
    // Two modules are in one cycle when each reaches the other.
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|m| (m, reach(m))).collect();
    let mut found: Vec<BTreeSet<String>> = Vec::new();
    for m in graph.keys() {
        if !reached[m].contains(m) || found.iter().any(|c| c.contains(m)) {
            continue;
        }
        found.push(
            graph
                .keys()
                .filter(|o| reached[m].contains(*o) && reached[*o].contains(m))
                .cloned()
                .collect(),
        );
    }
    found
}

fn shown(graph: &Graph, found: &[BTreeSet<String>]) -> String {
    found
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|m| {
                    graph[m]
                        .iter()
                        .filter(|o| c.contains(*o))
                        .map(move |o| format!("{m} → {o}"))
                })
                .collect();
            edges.join(", ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_store_modules_import_each_other_without_a_cycle() {
    let graph = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 10, "the modules of lib.rs were not read: {graph:?}");
    let found = cycles(&graph);
    assert!(found.is_empty(), "module cycles:\n{}", shown(&graph, &found));
}

#[test]
fn a_cycle_is_found_through_groups_and_paths_but_not_comments() {
    let modules: BTreeSet<String> = ["a", "b", "c", "d"].map(String::from).into();
    let a = "use crate::{b::X, error::Error};\n// crate::d is only mentioned\nfn f() { crate::c::g(); }";
    assert_eq!(uses(a, &modules), ["b", "c"].map(String::from).into());
    let mut graph = Graph::new();
    graph.insert("a".into(), uses(a, &modules));
    graph.insert("b".into(), uses("use crate::{\n    d::{self, Y},\n};", &modules));
    graph.insert("c".into(), BTreeSet::new());
    graph.insert("d".into(), uses("pub(crate) use crate::a::Z;", &modules));
    assert_eq!(cycles(&graph), vec![["a", "b", "d"].map(String::from).into()]);
    graph.insert("d".into(), BTreeSet::new());
    assert!(cycles(&graph).is_empty());
}
