// Placeholder entry point until the CLI lands in the same change series.
int main() { return 2; }
