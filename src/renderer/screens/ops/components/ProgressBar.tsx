// The one progress bar of every screen (components/ProgressBar).
export { ProgressBar } from '../../../components/ProgressBar';
