"""govcode's domain core: settings, storage, analysis, search and notifications."""
