// Lets a plain `node` child process import the TypeScript sources (Node 20 cannot): the crash
// tests kill such a child in the middle of a store write.
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
