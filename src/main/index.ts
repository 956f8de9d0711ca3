/** The Electron entry: everything lives in src/main/electron. */
import { startElectronApp } from './electron/app';

void startElectronApp();
