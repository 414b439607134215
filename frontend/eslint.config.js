// The dashboard's linter: Vue's recommended rules for the templates and
// typescript-eslint's recommended rules for the scripts (without type information, so
// it stays quick). The generated API types are left to their generator.
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
  },
  {
    // Formatting is not the linter's business: these layout rules of flat/recommended
    // would rewrite nearly every template (one attribute per line, no empty elements)
    // without finding a single mistake. What they leave is what the rules catch.
    rules: {
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // A unit test mounts its component with small stand-ins (RouterLink, a host)
    // defined beside it; one component per file is a rule for the app's sources.
    files: ['tests/**'],
    rules: { 'vue/one-component-per-file': 'off' },
  },
  {
    // Build scripts, configs and the browser tests run under Node.
    files: ['scripts/**', 'e2e/**', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
)
