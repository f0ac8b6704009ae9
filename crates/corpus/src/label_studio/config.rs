//! What a Label Studio labelling config says that matters here: the
//! first `<Labels name=.. toName=..>` pointing at a `<Text name=..
//! value="$key">`, and the labels it offers.

use super::{FROM_NAME, TO_NAME};
use quick_xml::events::{BytesStart, Event};
use speechtimer_core::values::Label;

/// The project's config the labelling tool ships with.
const DEFAULT_CONFIG: &str = include_str!("../../../../assets/label-studio/config.xml");

/// What a labeling config tells the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelConfig {
    /// `name` of the `<Labels>` tag.
    pub from_name: String,
    /// `name` of the `<Text>` tag it labels.
    pub to_name: String,
    /// The task data key of that text (`$key` without the `$`).
    pub data_key: String,
    /// The label values the config offers; predictions keep only these.
    pub labels: Vec<String>,
}

impl Default for LabelConfig {
    /// The config of `assets/label-studio/config.xml`.
    fn default() -> Self {
        parse_config(DEFAULT_CONFIG).unwrap_or_else(|_| LabelConfig {
            from_name: FROM_NAME.into(),
            to_name: TO_NAME.into(),
            data_key: "text".into(),
            labels: Vec::new(),
        })
    }
}

#[derive(Debug, Default)]
struct LabelsTag {
    name: String,
    to_names: Vec<String>,
    values: Vec<String>,
}

fn attr(tag: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_string())
        })
}

/// Reads the tags that matter in a labeling config; any XML error or a
/// config with no `<Labels>` on a `<Text>` is a French message.
fn parse_config(xml: &str) -> Result<LabelConfig, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut texts: Vec<(String, String)> = Vec::new(); // name, data key
    let mut labels: Vec<LabelsTag> = Vec::new();
    let mut open_labels = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "configuration d'étiquetage illisible (octet {}) : {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(ref t) | Event::Empty(ref t) => {
                let empty = matches!(event, Event::Empty(_));
                match t.name().as_ref() {
                    b"Labels" => {
                        labels.push(LabelsTag {
                            name: attr(t, b"name").unwrap_or_default(),
                            to_names: attr(t, b"toName")
                                .unwrap_or_default()
                                .split(',')
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty())
                                .collect(),
                            values: Vec::new(),
                        });
                        open_labels = !empty;
                    }
                    b"Label" if open_labels => {
                        if let (Some(l), Some(v)) = (labels.last_mut(), attr(t, b"value")) {
                            l.values.push(v);
                        }
                    }
                    b"Text" => {
                        if let (Some(n), Some(v)) = (attr(t, b"name"), attr(t, b"value")) {
                            texts.push((n, v.trim_start_matches('$').to_string()));
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref t) if t.name().as_ref() == b"Labels" => open_labels = false,
            Event::Eof => break,
            _ => {}
        }
    }
    labels
        .into_iter()
        .filter(|l| !l.name.is_empty())
        .find_map(|l| {
            let (to_name, data_key) = texts.iter().find(|(n, _)| l.to_names.contains(n))?;
            Some(LabelConfig {
                from_name: l.name.clone(),
                to_name: to_name.clone(),
                data_key: data_key.clone(),
                labels: l.values.clone(),
            })
        })
        .ok_or_else(|| {
            "configuration d'étiquetage sans balise <Labels name=\"…\" toName=\"…\"> reliée à une balise <Text name=\"…\" value=\"$…\">".to_string()
        })
}

impl LabelConfig {
    /// Reads a labelling config (XML); any XML error, or no `<Labels>` on a
    /// `<Text>`, is a French message.
    pub fn parse(xml: &str) -> Result<Self, String> {
        parse_config(xml)
    }

    /// The labels of the guide (ANNOTATION.md's seven) this config does not
    /// offer.
    pub fn missing_guide_labels(&self) -> Vec<&'static str> {
        Label::GUIDE
            .iter()
            .map(|l| l.as_str())
            .filter(|l| !self.labels.iter().any(|have| have == l))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_config_gives_the_corpus_names() {
        let c = LabelConfig::default();
        assert_eq!(
            (c.from_name.as_str(), c.to_name.as_str()),
            (FROM_NAME, TO_NAME)
        );
        assert_eq!(c.data_key, "text");
        assert_eq!(c.labels.len(), Label::ALL.len());
    }

    #[test]
    fn names_come_from_the_labels_on_a_text() {
        let xml = r#"<View>
          <!-- a comment -->
          <Header value="Étiquetez &amp; vérifiez"/>
          <Image name="img" value="$image"/>
          <Labels name="boxes" toName="img"><Label value="cat"/></Labels>
          <Labels name="ner" toName="utt">
            <Label value="nb_rounds"></Label>
            <Label value="duration_wt_min"/>
          </Labels>
          <Text name="utt" value="$sentence"/>
        </View>"#;
        let c = LabelConfig::parse(xml).unwrap();
        assert_eq!(c.from_name, "ner");
        assert_eq!(c.to_name, "utt");
        assert_eq!(c.data_key, "sentence");
        assert_eq!(c.labels, vec!["nb_rounds", "duration_wt_min"]);
    }

    #[test]
    fn bad_configs_are_messages() {
        assert!(LabelConfig::parse("<View><Text name='t' value='$t'/></View>").is_err());
        assert!(LabelConfig::parse("<View><Labels name='a' toName='t'></View>").is_err());
        assert!(LabelConfig::parse("not xml at all <<<").is_err());
        assert!(LabelConfig::parse("").is_err());
    }

    #[test]
    fn the_guide_labels_a_config_lacks() {
        assert!(LabelConfig::default().missing_guide_labels().is_empty());
        let xml = r#"<View><Labels name="l" toName="t"><Label value="nb_rounds"/>
          <Label value="duration_wt_sd"/></Labels><Text name="t" value="$text"/></View>"#;
        let c = LabelConfig::parse(xml).unwrap();
        assert_eq!(
            c.missing_guide_labels(),
            [
                "duration_wt_min",
                "duration_wt_hr",
                "duration_br_sd",
                "duration_br_min",
                "duration_br_hr"
            ]
        );
    }
}
