//! The niche taxonomy (`niches.toml`): niche names and their aliases, each alias owned by
//! one niche.

use std::collections::BTreeMap;

use super::Loader;
use crate::diagnostic::Diagnostic;
use crate::rules::raw::RawNiches;
use crate::rules::Taxonomy;
use crate::source::SourceFile;

impl Loader<'_> {
    pub(super) fn taxonomy(&mut self, file: &SourceFile) -> Option<Taxonomy> {
        let raw: RawNiches = self.parse(file)?;
        let names: Vec<String> = raw.niche.keys().cloned().collect();
        let provisional = Taxonomy::new(names.clone(), []);
        let mut aliases = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (id, (name, niche)) in raw.niche.iter().enumerate() {
            for alias in &niche.aliases {
                let key = crate::rules::normalize_niche(alias.get_ref());
                let owner = provisional
                    .resolve(&key)
                    .filter(|&o| o != id)
                    .or_else(|| seen.get(&key).copied().filter(|&o| o != id));
                if let Some(owner) = owner {
                    self.diags.push(
                        file.error(
                            alias.span(),
                            format!("alias `{}` already means `{}`", alias.get_ref(), names[owner]),
                        )
                        .label(format!("also listed under `{name}`"))
                        .hint("an alias can stand for one niche only"),
                    );
                    continue;
                }
                seen.insert(key, id);
                aliases.push((alias.get_ref().clone(), id));
            }
        }
        if names.is_empty() {
            self.diags.push(
                Diagnostic::error(&file.path, "the taxonomy defines no niches")
                    .hint("add `[niche.fashion]` with `aliases = [\"ootd\"]`"),
            );
        }
        Some(Taxonomy::new(names, aliases))
    }
}
