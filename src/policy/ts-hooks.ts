// Module hooks (node:module register()) that let Node 20 import a policy written in TypeScript.
// Node 20 cannot run .ts files, and transpiling one into a temporary file elsewhere would break
// the policy's own imports; these hooks transpile each .ts module in place, at its own URL, so
// `import ... from './partners.js'` and `import { definePolicy } from 'sigwall/policy'` resolve
// exactly as they would for compiled JavaScript beside the policy.
//
// transpileModule only strips types (no type checking): an operator's editor or `tsc --noEmit`
// checks types, `sigwall check` checks the policy itself with the zod schema.
import { readFile } from 'node:fs/promises';
import type { LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const kTypeScriptUrl = /^file:.*\.m?ts(\?.*)?$/;
const kRelative = /^\.{1,2}\//;

// TypeScript's NodeNext convention names the .js a .ts module compiles to; when that .js does
// not exist beside a .ts importer, the .ts source is meant.
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const fromTypeScript = context.parentURL !== undefined && kTypeScriptUrl.test(context.parentURL);
    if (fromTypeScript && kRelative.test(specifier) && /\.m?js$/.test(specifier)) {
      return nextResolve(specifier.replace(/js$/, 'ts'), context);
    }
    throw error;
  }
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!kTypeScriptUrl.test(url)) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const output = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  const diagnostic = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostic) {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const at = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    throw new SyntaxError(at ? `${fileName}:${at.line + 1}:${at.character + 1}: ${text}` : `${fileName}: ${text}`);
  }
  return { format: 'module', source: output.outputText, shortCircuit: true };
};
