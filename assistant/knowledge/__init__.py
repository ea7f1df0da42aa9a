"""The brand's knowledge folder: parsing, validation, embedding and the Chroma index."""
