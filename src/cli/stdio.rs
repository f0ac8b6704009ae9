//! `-` as a file name: standard output where a file is written, standard
//! input where one is read, as other Unix tools take it.

use anyhow::{Context, Result};
use speechtimer_corpus::{Example, FileError, read_jsonl};
use std::io::{BufWriter, Read, Write};
use std::path::Path;

/// Whether `path` is `-`.
pub(crate) fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The file's bytes, or standard input's for `-` (text that may not be
/// UTF-8: `data check` reports such lines one by one).
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if is_stdio(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("impossible de lire l'entrée standard")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("impossible de lire {}", path.display()))
}

/// The file's text, or standard input's for `-`.
pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    String::from_utf8(read_bytes(path)?)
        .with_context(|| format!("{} : ce n'est pas du texte UTF-8", path.display()))
}

/// A buffered writer to the file (created or truncated), or to standard
/// output for `-`.
pub(crate) fn create(path: &Path) -> Result<Box<dyn Write>> {
    if is_stdio(path) {
        return Ok(Box::new(BufWriter::new(std::io::stdout().lock())));
    }
    let file = std::fs::File::create(path)
        .with_context(|| format!("impossible d'écrire {}", path.display()))?;
    Ok(Box::new(BufWriter::new(file)))
}

/// The examples of a JSONL file, or of standard input for `-`; the first
/// bad line is an error naming its number.
pub(crate) fn read_examples(path: &Path) -> Result<Vec<Example>> {
    if !is_stdio(path) {
        return Ok(speechtimer_corpus::read_jsonl_file(path)?);
    }
    let examples: Result<Vec<Example>, FileError> = read_jsonl(std::io::stdin().lock())
        .map(|(n, r)| r.map_err(|e| FileError::Line("-".into(), n, e)))
        .collect();
    Ok(examples?)
}

/// Where the messages about a written file go: stderr when the file
/// itself is standard output, so that the two never mix.
pub(crate) fn report(path: &Path, line: &str) {
    if is_stdio(path) {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_lone_dash_is_stdio() {
        assert!(is_stdio(Path::new("-")));
        assert!(!is_stdio(Path::new("./-")));
        assert!(!is_stdio(Path::new("--")));
        assert!(!is_stdio(Path::new("out.jsonl")));
    }

    #[test]
    fn a_file_is_written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        let mut w = create(&path).unwrap();
        w.write_all("héllo\n".as_bytes()).unwrap();
        drop(w);
        assert_eq!(read_to_string(&path).unwrap(), "héllo\n");
        assert!(read_to_string(&dir.path().join("missing")).is_err());
    }
}
