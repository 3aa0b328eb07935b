"""Convert an existing blog (Jekyll, Hugo, WordPress export) into posts/ and assets/."""
