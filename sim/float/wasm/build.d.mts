// Types of build.mjs for the tests that import it (the script itself stays plain JS so it runs without a build).
export declare const WAT_PATH: string;
export declare const WASM_PATH: string;
export declare const TS_PATH: string;
export declare const F32_WAT_PATH: string;
export declare const F32_WASM_PATH: string;
export declare const F32_TS_PATH: string;
export declare function assemble(watText: string, fileName?: string): Promise<Uint8Array>;
export declare function renderModuleSource(bytes: Uint8Array, module?: 'f64' | 'f32'): string;
