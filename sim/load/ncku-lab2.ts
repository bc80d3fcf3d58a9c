/** Reads the NCKU Lab 2 config (hw-configs/compat/ncku-lab2.yaml, or another file of that shape). */
import { readDocument } from '../base/files.js';
import { type LabConfig, parseLabConfig } from '../compat/ncku-lab2/config.js';

export const NCKU_LAB2_CONFIG = 'hw-configs/compat/ncku-lab2.yaml';

export function loadLabConfig(file = NCKU_LAB2_CONFIG): LabConfig {
  return parseLabConfig(readDocument(file), file);
}
