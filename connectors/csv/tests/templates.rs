//! Templates load from the real `mappings/csv` folder, and bad templates are refused
//! with the file and the TOML line.

use shipgate_csv::{CsvError, Template, TemplateKind, Templates};
use std::path::PathBuf;

fn mappings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/csv")
}

#[test]
fn the_shipped_templates_load_with_their_kinds() {
    let templates = Templates::load_dir(mappings_dir()).expect("mappings/csv loads");
    let shopify = templates
        .get("shopify-orders-export")
        .expect("shopify template");
    assert_eq!(shopify.kind(), TemplateKind::Orders);
    assert_eq!(shopify.delimiter(), Some(b','));
    assert_eq!(
        shopify
            .column("ship_zip")
            .and_then(|c| c.strip_prefix.as_deref()),
        Some("'")
    );
    assert!(shopify.column("order_key").is_some_and(|c| c.required));

    let supplier = templates
        .get("supplier-tracking")
        .expect("supplier template");
    assert_eq!(supplier.kind(), TemplateKind::Tracking);
    assert_eq!(supplier.delimiter(), None, "supplier files are sniffed");
    let aliases = &supplier.column("order_ref").expect("order_ref").headers;
    for alias in ["order", "order_number", "order name", "reference"] {
        assert!(
            aliases.iter().any(|a| a.eq_ignore_ascii_case(alias)),
            "missing alias {alias}"
        );
    }
    assert!(templates.len() >= 2);
}

fn template_error(text: &str) -> (Option<usize>, String) {
    match Template::from_toml_str("bad.toml", text) {
        Err(CsvError::Template {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, "bad.toml");
            (line, message)
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

const MINIMAL: &str = r#"name = "t"
kind = "tracking"
[columns.order_ref]
header = ["order"]
[columns.tracking_number]
header = ["tracking"]
"#;

#[test]
fn errors_name_the_toml_line() {
    let (line, message) = template_error(&format!(
        "{MINIMAL}[columns.tracking_number2]\nheader = [\"x\"]\n"
    ));
    assert_eq!(line, Some(7), "{message}");
    assert!(message.contains("tracking_number2"), "{message}");

    let (line, message) = template_error(&MINIMAL.replace(
        "header = [\"tracking\"]",
        "header = [\"tracking\"]\nrequird = true",
    ));
    assert_eq!(line, Some(7), "{message}");
    assert!(message.contains("requird"), "{message}");

    let (line, _) = template_error("name = \"t\"\nkind = \"tracking\"\nkind = \"orders\"\n");
    assert_eq!(line, Some(3));

    let (_, message) = template_error(&MINIMAL.replace(
        "kind = \"tracking\"",
        "kind = \"tracking\"\ndelimiter = \"#\"",
    ));
    assert!(message.contains("delimiter"), "{message}");

    let (_, message) = template_error(&MINIMAL.replace(
        "kind = \"tracking\"",
        "kind = \"tracking\"\ndate_formats = [\"%Y-%Q\"]",
    ));
    assert!(message.contains("%Y-%Q"), "{message}");

    let (_, message) = template_error(
        "name = \"t\"\nkind = \"tracking\"\n[columns.order_ref]\nheader = [\"order\"]\n",
    );
    assert!(message.contains("tracking_number"), "{message}");
}

#[test]
fn load_dir_names_the_bad_file_and_refuses_duplicate_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.toml"), MINIMAL).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a template").expect("write");
    assert_eq!(Templates::load_dir(dir.path()).expect("loads").len(), 1);

    std::fs::write(dir.path().join("b.toml"), MINIMAL).expect("write");
    match Templates::load_dir(dir.path()) {
        Err(CsvError::DuplicateTemplate {
            name,
            first,
            second,
        }) => {
            assert_eq!(name, "t");
            assert!(first.ends_with("a.toml") && second.ends_with("b.toml"));
        }
        other => panic!("expected a duplicate error, got {other:?}"),
    }

    std::fs::write(
        dir.path().join("b.toml"),
        "name = \"u\"\nkind = \"parcels\"\n",
    )
    .expect("write");
    match Templates::load_dir(dir.path()) {
        Err(CsvError::Template { file, line, .. }) => {
            assert!(file.ends_with("b.toml"), "{file}");
            assert_eq!(line, Some(2));
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}
