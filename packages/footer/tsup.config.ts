import { defineConfig } from 'tsup';
import { preset } from '../../tsup.base.js';

export default defineConfig(preset());
